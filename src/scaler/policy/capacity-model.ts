/**
 * How many worker slots (jobs running at once) keep the queue wait within the target W. Steady load is sized with
 * Erlang C (M/M/s) and the Allen–Cunneen correction for job times that vary more or less than exponential ones;
 * a backlog already waiting is sized to drain within the time left once new capacity has booted.
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
 * Extra slots that drain `backlog` waiting jobs of mean time T within `horizonSeconds`: backlog·T/horizon, but never
 * more than one slot per job.
 */
export function slotsToDrainBacklog(backlog: number, serviceSeconds: number, horizonSeconds: number): number {
  if (!(backlog > 0)) return 0;
  if (!(horizonSeconds > 0)) return backlog;
  return Math.min(backlog, (backlog * serviceSeconds) / horizonSeconds);
}

/**
 * Slots for steady load plus a backlog: the steady sizing's margin above the load already drains some backlog
 * (it is what absorbs the queue that Poisson arrivals build), so only a backlog beyond what that margin clears
 * within the horizon adds slots.
 */
export function slotsWithBacklog(
  steadySlots: number,
  load: number,
  backlog: number,
  serviceSeconds: number,
  horizonSeconds: number,
): number {
  return Math.max(steadySlots, Math.max(0, load) + slotsToDrainBacklog(backlog, serviceSeconds, horizonSeconds));
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
