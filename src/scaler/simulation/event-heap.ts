/**
 * The simulator's event queue: a binary min-heap of (time, kind, id) kept in typed arrays, so millions of job
 * completions over a 14-day trace never allocate an object each. Ties on time pop the smaller kind first, then the
 * smaller id, which keeps runs deterministic.
 */

/** A min-heap of timed events, each a numeric kind and id. */
export class EventHeap {
  private times = new Float64Array(64);
  private kinds = new Uint8Array(64);
  private ids = new Int32Array(64);
  private count = 0;

  /** Number of events held. */
  get size(): number {
    return this.count;
  }

  /** The earliest event's time, or Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  /** The earliest event's kind (only meaningful when not empty). */
  peekKind(): number {
    return this.kinds[0]!;
  }

  /** The earliest event's id (only meaningful when not empty). */
  peekId(): number {
    return this.ids[0]!;
  }

  /** Adds an event. */
  push(time: number, kind: number, id: number): void {
    if (this.count === this.times.length) this.grow();
    let index = this.count;
    this.count += 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(time, kind, id, parent)) break;
      this.move(parent, index);
      index = parent;
    }
    this.set(index, time, kind, id);
  }

  /** Removes the earliest event (read it first with the peek methods). */
  pop(): void {
    this.count -= 1;
    if (this.count === 0) return;
    const time = this.times[this.count]!;
    const kind = this.kinds[this.count]!;
    const id = this.ids[this.count]!;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= this.count) break;
      if (child + 1 < this.count && this.slotBefore(child + 1, child)) child += 1;
      if (!this.slotBeforeValue(child, time, kind, id)) break;
      this.move(child, index);
      index = child;
    }
    this.set(index, time, kind, id);
  }

  /** Whether the event (time, kind, id) comes before the one held in `slot`. */
  private before(time: number, kind: number, id: number, slot: number): boolean {
    const other = this.times[slot]!;
    if (time !== other) return time < other;
    const otherKind = this.kinds[slot]!;
    if (kind !== otherKind) return kind < otherKind;
    return id < this.ids[slot]!;
  }

  private slotBefore(a: number, b: number): boolean {
    return this.before(this.times[a]!, this.kinds[a]!, this.ids[a]!, b);
  }

  /** Whether the event held in `slot` comes before (time, kind, id). */
  private slotBeforeValue(slot: number, time: number, kind: number, id: number): boolean {
    const other = this.times[slot]!;
    if (time !== other) return other < time;
    const otherKind = this.kinds[slot]!;
    if (kind !== otherKind) return otherKind < kind;
    return this.ids[slot]! < id;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.ids[to] = this.ids[from]!;
  }

  private set(slot: number, time: number, kind: number, id: number): void {
    this.times[slot] = time;
    this.kinds[slot] = kind;
    this.ids[slot] = id;
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    times.set(this.times);
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const ids = new Int32Array(size);
    ids.set(this.ids);
    this.times = times;
    this.kinds = kinds;
    this.ids = ids;
  }
}
