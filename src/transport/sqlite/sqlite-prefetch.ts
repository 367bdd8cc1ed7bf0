/**
 * The messages one receive iteration took in a batch and has not handed out yet. They are leased, so they must
 * not wait long: after `holdMs` (half a lease) whatever is left is given back, before its lease can run out and
 * another consumer take it, and a slow consumer never sits on messages others could work on.
 */
import type { TakenMessage } from "./sqlite-queue-store.ts";

/** A receive iteration's prefetched messages, given back when they wait too long or the iteration ends. */
export class PrefetchBuffer {
  private readonly waiting: TakenMessage[] = [];
  private readonly giveBack: (messages: readonly TakenMessage[]) => void;
  private readonly holdMs: number;
  private timer: NodeJS.Timeout | undefined;

  /** `giveBack` returns messages to the queue; it is called with every message still waiting after `holdMs`. */
  constructor(giveBack: (messages: readonly TakenMessage[]) => void, holdMs: number) {
    this.giveBack = giveBack;
    this.holdMs = holdMs;
  }

  /** Keeps freshly taken messages, and starts the clock on them. */
  fill(messages: readonly TakenMessage[]): void {
    if (messages.length === 0) return;
    this.waiting.push(...messages);
    this.timer ??= setTimeout(() => this.clear(), this.holdMs).unref();
  }

  /** The next message to hand out, or undefined when none waits. */
  next(): TakenMessage | undefined {
    const message = this.waiting.shift();
    if (this.waiting.length === 0) this.stopTimer();
    return message;
  }

  /** Gives back every waiting message. */
  clear(): void {
    this.stopTimer();
    const messages = this.waiting.splice(0);
    if (messages.length > 0) this.giveBack(messages);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
