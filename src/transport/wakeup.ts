/** Waiters woken together when something changed ("look again"), with abort and timeout built in. */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  /** Wakes every current waiter. */
  wakeAll(): void {
    // Called on every settlement, mostly with nobody waiting: no copy of an empty set.
    if (this.waiters.size === 0) return;
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves at the next {@link wakeAll}, when `signal` aborts, or after `timeoutMs`; never rejects. */
  wait(signal: AbortSignal, timeoutMs = Infinity): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      const timer = Number.isFinite(timeoutMs) ? setTimeout(done, Math.max(0, timeoutMs)) : undefined;
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
