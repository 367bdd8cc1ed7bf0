/**
 * The jobs of a trace in arrival order: the arrival process merged with the dumps, each job with its job time
 * (drift applied by arrival time), ending at the trace's duration. Arrival times and job times come from separate
 * seeded streams.
 */
import { arrivalClock, type ArrivalClock } from "./arrival-process.ts";
import { deriveSeed, seededRandom } from "./seeded-random.ts";
import { serviceTimeSampler, type ServiceTimeSampler } from "./service-time.ts";
import type { TraceSpec } from "./trace-spec.ts";

/** A cursor over a trace's jobs; `arrivalMs` is Infinity once the trace is exhausted. */
export class JobSource {
  /** Arrival time (ms) of the current job, Infinity when there are no more. */
  arrivalMs = Infinity;
  /** Job time (ms) of the current job. */
  serviceMs = 0;
  private readonly trace: TraceSpec;
  private readonly clock: ArrivalClock;
  private readonly sample: ServiceTimeSampler;
  private readonly dumps: { atMs: number; jobs: number }[];
  private nextProcessArrival: number;

  constructor(trace: TraceSpec, seed: number) {
    this.trace = trace;
    this.clock = arrivalClock(trace.arrivals, seededRandom(deriveSeed(seed, 1)));
    this.sample = serviceTimeSampler(trace.serviceTime, seededRandom(deriveSeed(seed, 2)));
    this.dumps = (trace.dumps ?? [])
      .map((dump) => ({ atMs: dump.atMs, jobs: dump.jobs }))
      .sort((a, b) => a.atMs - b.atMs);
    this.nextProcessArrival = this.clock();
    this.advance();
  }

  /** Moves to the next job. */
  advance(): void {
    const dump = this.dumps[0];
    let at: number;
    if (dump !== undefined && dump.atMs <= this.nextProcessArrival) {
      at = dump.atMs;
      dump.jobs -= 1;
      if (dump.jobs <= 0) this.dumps.shift();
    } else {
      at = this.nextProcessArrival;
      this.nextProcessArrival = this.clock();
    }
    if (!(at < this.trace.durationMs)) {
      this.arrivalMs = Infinity;
      return;
    }
    const drift = this.trace.drift;
    const factor = drift !== undefined && at >= drift.atMs ? drift.factor : 1;
    this.arrivalMs = at;
    this.serviceMs = this.sample() * factor;
  }
}
