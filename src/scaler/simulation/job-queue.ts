/**
 * The FIFO queue of waiting jobs as a growable ring buffer of (arrival time, service time) pairs: push at the
 * tail for arrivals, push at the head for work a terminated instance was running (it is redelivered first).
 */

/** A double-ended queue of jobs without one object per job. */
export class JobQueue {
  private arrivals = new Float64Array(1024);
  private services = new Float64Array(1024);
  private head = 0;
  private count = 0;

  /** Jobs waiting. */
  get length(): number {
    return this.count;
  }

  /** Arrival time of the oldest waiting job, or undefined when empty. */
  oldestArrival(): number | undefined {
    return this.count === 0 ? undefined : this.arrivals[this.head]!;
  }

  /** Adds an arriving job at the tail. */
  pushBack(arrivalMs: number, serviceMs: number): void {
    if (this.count === this.arrivals.length) this.grow();
    const index = (this.head + this.count) & (this.arrivals.length - 1);
    this.arrivals[index] = arrivalMs;
    this.services[index] = serviceMs;
    this.count += 1;
  }

  /** Puts a job back at the head (redelivered work keeps its original arrival time). */
  pushFront(arrivalMs: number, serviceMs: number): void {
    if (this.count === this.arrivals.length) this.grow();
    this.head = (this.head - 1) & (this.arrivals.length - 1);
    this.arrivals[this.head] = arrivalMs;
    this.services[this.head] = serviceMs;
    this.count += 1;
  }

  /** Arrival time of the head job (call only when not empty). */
  peekArrival(): number {
    return this.arrivals[this.head]!;
  }

  /** Service time of the head job (call only when not empty). */
  peekService(): number {
    return this.services[this.head]!;
  }

  /** Removes the head job (read it first with the peek methods). */
  shift(): void {
    this.head = (this.head + 1) & (this.arrivals.length - 1);
    this.count -= 1;
  }

  private grow(): void {
    const size = this.arrivals.length * 2;
    const arrivals = new Float64Array(size);
    const services = new Float64Array(size);
    for (let i = 0; i < this.count; i += 1) {
      const from = (this.head + i) & (this.arrivals.length - 1);
      arrivals[i] = this.arrivals[from]!;
      services[i] = this.services[from]!;
    }
    this.arrivals = arrivals;
    this.services = services;
    this.head = 0;
  }
}
