/** Counts the jobs a case finishes, for the rounds of `npm run bench:worker`. */
import { performance } from "node:perf_hooks";

/** `expect(count)` starts a round; its promise resolves with the time of the round's `count`-th {@link done}. */
export class RoundCounter {
  #left = 0;
  #resolve: ((at: number) => void) | undefined;

  /** A round of `count` jobs starts now. */
  expect(count: number): Promise<number> {
    this.#left = count;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  /** One job is done (a handler for the case's completion events). */
  readonly done = (): void => {
    if (--this.#left === 0) this.#resolve?.(performance.now());
  };
}
