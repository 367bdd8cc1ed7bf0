/**
 * Matching in a worker thread that can be killed: the last line of defence against a regular expression that
 * backtracks catastrophically inside one `RegExp.exec` (which nothing in the same thread can interrupt). A
 * document whose scan outlives its hard limit has its thread terminated and is reported truncated, with no
 * matches; the next document gets a fresh thread. An aborted signal terminates the thread and rejects.
 */
import { Worker as Thread } from "node:worker_threads";
import type { MatchReply, MatchRequest } from "./match-thread.ts";
import type { DocumentMatches } from "./matcher.ts";

const THREAD_SCRIPT = new URL("./match-thread.ts", import.meta.url);

/** One document to match. */
export interface IsolatedMatch {
  readonly document: string;
  readonly text: string;
  readonly pattern: string;
  readonly flags: string;
  /** The cooperative budget, checked between lines in the thread. */
  readonly budgetMs: number;
  readonly maxMatches: number;
  /** The thread is killed after this many ms. */
  readonly hardLimitMs: number;
  readonly signal?: AbortSignal;
}

/** A matcher thread, started on first use. Not for concurrent calls: one document at a time. */
export class IsolatedMatcher {
  private thread: Thread | undefined;
  private nextId = 0;

  /** Matches one document in the thread. */
  match(request: IsolatedMatch): Promise<DocumentMatches> {
    request.signal?.throwIfAborted();
    const thread = (this.thread ??= this.startThread());
    const id = ++this.nextId;
    return new Promise<DocumentMatches>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        thread.off("message", onMessage);
        thread.off("error", onError);
        thread.off("exit", onExit);
        request.signal?.removeEventListener("abort", onAbort);
      };
      const kill = (): void => {
        if (this.thread === thread) this.thread = undefined;
        void thread.terminate();
      };
      const onMessage = (reply: MatchReply): void => {
        if (reply.id !== id) return;
        finish();
        if (reply.ok) resolve(reply.result);
        else reject(new Error(reply.message));
      };
      const onError = (error: Error): void => {
        finish();
        kill();
        reject(error);
      };
      const onExit = (): void => {
        finish();
        if (this.thread === thread) this.thread = undefined;
        reject(new Error("the matcher thread exited"));
      };
      const onAbort = (): void => {
        finish();
        kill();
        const reason: unknown = request.signal?.reason;
        reject(reason instanceof Error ? reason : new Error("aborted", { cause: reason }));
      };
      const timer = setTimeout(() => {
        finish();
        kill();
        resolve({ matches: [], matchCount: 0, linesScanned: 0, truncated: true });
      }, request.hardLimitMs);
      thread.on("message", onMessage);
      thread.on("error", onError);
      thread.on("exit", onExit);
      request.signal?.addEventListener("abort", onAbort, { once: true });
      const message: MatchRequest = {
        id,
        document: request.document,
        text: request.text,
        pattern: request.pattern,
        flags: request.flags,
        budgetMs: request.budgetMs,
        maxMatches: request.maxMatches,
      };
      thread.postMessage(message);
    });
  }

  /** Stops the thread. Idempotent. */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) await thread.terminate();
  }

  private startThread(): Thread {
    const thread = new Thread(THREAD_SCRIPT);
    // An idle matcher thread must not keep the process alive.
    thread.unref();
    return thread;
  }
}
