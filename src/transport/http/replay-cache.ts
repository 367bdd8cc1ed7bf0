/**
 * The job ids a receiver accepted recently, so a replayed or retried POST is answered again without being
 * buffered twice. Bounded in both time and size: an id is remembered for `ttlMs`, and past `maxEntries` the
 * oldest ids are forgotten first.
 */

/** Remembers ids for a while; insertion order is expiry order, so forgetting is cheap. */
export class ReplayCache {
  private readonly expiries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;

  /** Remembers up to `maxEntries` ids (0 remembers none), each for `ttlMs`. */
  constructor(maxEntries: number, ttlMs: number) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
  }

  /** How many ids are remembered (expired ones included until the next `add`). */
  get size(): number {
    return this.expiries.size;
  }

  /** Whether `id` was added less than `ttlMs` before `now`. */
  has(id: string, now: number): boolean {
    const expiry = this.expiries.get(id);
    return expiry !== undefined && expiry > now;
  }

  /** Remembers `id` from `now` on; forgets expired ids, then the oldest beyond the size bound. */
  add(id: string, now: number): void {
    this.expiries.delete(id);
    if (this.maxEntries === 0) return;
    this.expiries.set(id, now + this.ttlMs);
    for (const [oldest, expiry] of this.expiries) {
      if (expiry > now && this.expiries.size <= this.maxEntries) break;
      this.expiries.delete(oldest);
    }
  }
}
