/**
 * How many worker slots (jobs running at once) keep the queue wait within the target W. Steady load is sized with
 * Erlang C (M/M/s) and the Allen–Cunneen correction for job times that vary more or less than exponential ones;
 * a backlog already waiting is sized so its newest job still starts within W once new capacity serves.
 */

/** Offered loads above this are sized with the square-root staffing rule instead of the exact Erlang C sum. */
const EXACT_LOAD_LIMIT = 100_000;

/**
 * The probability that a job waits longer than `waitSeconds` with `slots` slots and `load` Erlangs offered
 * (load = λ·T), job times of squared variation `squaredVariation`; 1 when the slots cannot carry the load.
 */
export function probabilityOfLongWait(
  slots: number,
  load: number,
  serviceSeconds: number,
  squaredVariation: number,
  waitSeconds: number,
): number {
  if (load <= 0) return 0;
  if (slots <= load) return 1;
  let blocking = 1;
  for (let k = 1; k <= slots; k += 1) blocking = (load * blocking) / (k + load * blocking);
  return longWaitFromBlocking(blocking, slots, load, serviceSeconds, squaredVariation, waitSeconds);
}

function longWaitFromBlocking(
  blocking: number,
  slots: number,
  load: number,
  serviceSeconds: number,
  squaredVariation: number,
  waitSeconds: number,
): number {
  const waitProbability = (slots * blocking) / (slots - load * (1 - blocking));
  // Allen–Cunneen: waits scale with (ca² + cs²) / 2; Poisson arrivals have ca² = 1.
  const variability = Math.max(0.05, (1 + squaredVariation) / 2);
  const decay = ((slots - load) * waitSeconds) / (serviceSeconds * variability);
  return waitProbability * Math.exp(-decay);
}

/**
 * The fewest slots for which at most `lateFraction` of jobs wait longer than `waitSeconds`, for an arrival rate
 * (jobs/s) and mean job time T (s).
 */
export function slotsForSteadyLoad(
  arrivalPerSecond: number,
  serviceSeconds: number,
  squaredVariation: number,
  waitSeconds: number,
  lateFraction: number,
): number {
  const load = arrivalPerSecond * serviceSeconds;
  if (!(load > 0) || !(serviceSeconds > 0)) return 0;
  if (load > EXACT_LOAD_LIMIT) return Math.ceil(load + 3 * Math.sqrt(load));
  let blocking = 1;
  const limit = Math.ceil(load + 12 * Math.sqrt(load) + 20);
  for (let slots = 1; slots <= limit; slots += 1) {
    blocking = (load * blocking) / (slots + load * blocking);
    if (slots <= load) continue;
    const late = longWaitFromBlocking(blocking, slots, load, serviceSeconds, squaredVariation, waitSeconds);
    if (late <= lateFraction) return slots;
  }
  return limit;
}

/**
 * The backlog as it will be when capacity launched now starts serving: how many jobs wait then, and how many of
 * them came as one lump (a dump: far more jobs than the arrival rate explains over the age of the oldest one) with
 * how long that lump's last job may still wait.
 */
export interface BacklogAtServe {
  /** Jobs waiting when new capacity serves. */
  readonly jobs: number;
  /** The wait the newest of them may have (W, or longer for jobs queued behind a lump that is late anyway). */
  readonly newestWaitSeconds: number;
  /** Jobs of them that came as one lump (0 when none). */
  readonly lumpJobs: number;
  /**
   * What is left of W for the lump's last job. Zero or less: the lump is late whatever is launched, and only the
   * newest job's wait constrains the slots.
   */
  readonly lumpWaitSeconds: number;
}

/**
 * How long the last of `jobs` waiting jobs waits for a slot once `slots` serve `load` Erlangs: the spare slots
 * (slots − load) take jobs at once, the rest start as running jobs finish, slots/T per second.
 */
export function backlogWaitSeconds(jobs: number, slots: number, load: number, serviceSeconds: number): number {
  const beyondSpare = jobs - Math.max(0, slots - load);
  if (!(beyondSpare > 0)) return 0;
  return (beyondSpare * serviceSeconds) / slots;
}

/**
 * The fewest slots for the arrival rate and a backlog. The newest job of the backlog (it arrived just before the
 * capacity serves, so its age is about 0) waits for the whole backlog ahead of it; what is left of its wait budget
 * must still keep long waits under `lateFraction` by the steady model, so a backlog that the fleet serves well
 * within W adds nothing (a queue of 35 one-minute jobs is nothing when W is 5 minutes) and a dump adds what drains
 * it in time. A lump that can still be served within W must also be: its last job has `lumpWaitSeconds` left.
 * Both waits only shrink as slots grow, so the answer is found by bisection between the steady sizing and one
 * spare slot per waiting job (where no job waits at all), or `maxSlots` (the fleet's cap) if lower.
 */
export function slotsForLoadAndBacklog(
  arrivalPerSecond: number,
  serviceSeconds: number,
  squaredVariation: number,
  waitSeconds: number,
  lateFraction: number,
  backlog: BacklogAtServe,
  maxSlots = Infinity,
): number {
  const steady = slotsForSteadyLoad(arrivalPerSecond, serviceSeconds, squaredVariation, waitSeconds, lateFraction);
  const jobs = Math.max(0, backlog.jobs);
  if (!(jobs > 0) || !(serviceSeconds > 0)) return steady;
  const load = Math.max(0, arrivalPerSecond * serviceSeconds);
  const enough = (slots: number): boolean => {
    const left = backlog.newestWaitSeconds - backlogWaitSeconds(jobs, slots, load, serviceSeconds);
    if (!(left > 0)) return false;
    if (
      backlog.lumpJobs > 0 &&
      backlog.lumpWaitSeconds > 0 &&
      backlogWaitSeconds(backlog.lumpJobs, slots, load, serviceSeconds) > Math.max(0, backlog.lumpWaitSeconds)
    )
      return false;
    // The steady model's share is taken over the wait left: jobs arriving later find a shorter queue. Beyond the
    // exact Erlang range the square-root staffing of the steady sizing stands for it.
    if (slots > EXACT_LOAD_LIMIT) return true;
    return (
      probabilityOfLongWait(slots, load, serviceSeconds, squaredVariation, Math.min(waitSeconds, left)) <= lateFraction
    );
  };
  if (enough(steady)) return steady;
  let low = steady;
  // More slots than the fleet can have are never launched, so the search stops there.
  let high = Math.max(steady, Math.min(Math.ceil(Math.max(steady, load) + jobs + 1), Math.ceil(maxSlots)));
  if (!enough(high)) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (enough(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The backlog when capacity launched now starts serving, `bootSeconds` from now: the backlog grows by what arrives
 * beyond what `slots` (booting and running) serve, or shrinks by their spare capacity. Never negative.
 */
export function projectedBacklog(
  backlog: number,
  arrivalPerSecond: number,
  slots: number,
  serviceSeconds: number,
  bootSeconds: number,
): number {
  if (!(serviceSeconds > 0)) return Math.max(0, backlog);
  const growthPerSecond = arrivalPerSecond - slots / serviceSeconds;
  return Math.max(0, backlog + growthPerSecond * Math.max(0, bootSeconds));
}
