/**
 * Runs one benchmark case in a worker thread of its own, so that no case inherits another's JIT feedback or
 * garbage, and asks it for one round at a time. Shared by `bench:transport` and `bench:worker`.
 */
import process from "node:process";
import { Worker, parentPort } from "node:worker_threads";

/** What the main thread asks a case thread. */
type CaseRequest = { readonly kind: "round"; readonly messages: number } | { readonly kind: "close" };

/** A case as its thread runs it. */
export interface ThreadedCase<Timing> {
  round(count: number): Promise<Timing>;
  close(): Promise<void>;
}

/** A round that takes longer than this has lost messages or hangs. */
const ROUND_TIMEOUT_MS = 120_000;

/** Thread side: sets the case up with `open`, then answers rounds until asked to close. */
export async function serveCaseThread<Timing>(name: string, open: () => Promise<ThreadedCase<Timing>>): Promise<void> {
  const port = parentPort!;
  const bench = await open();
  port.on("message", (request: CaseRequest) => {
    const answer =
      request.kind === "round" ? withTimeout(bench.round(request.messages), ROUND_TIMEOUT_MS, name) : bench.close();
    answer.then(
      (value) => port.postMessage({ ok: true, value }),
      (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
    );
  });
  port.postMessage({ ok: true, value: "ready" });
}

/** Main side: a thread running `script` (which calls {@link serveCaseThread}), asked one request at a time. */
export class CaseThread<Timing> {
  readonly name: string;
  private readonly worker: Worker;
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  readonly ready: Promise<unknown>;

  constructor(name: string, script: URL, workerData: unknown) {
    this.name = name;
    this.ready = new Promise((resolve, reject) => (this.pending = { resolve, reject }));
    this.worker = new Worker(script, { workerData });
    this.worker.on("message", (answer: { ok: boolean; value?: unknown; error?: string }) =>
      this.settle((p) => (answer.ok ? p.resolve(answer.value) : p.reject(new Error(`${name}: ${answer.error}`)))),
    );
    this.worker.on("error", (error: Error) => this.settle((p) => p.reject(error)));
    this.worker.on("exit", (code) => this.settle((p) => p.reject(new Error(`${name} thread exited (${code})`))));
  }

  round(messages: number): Promise<Timing> {
    return this.ask({ kind: "round", messages }) as Promise<Timing>;
  }

  async stop(): Promise<void> {
    await this.ask({ kind: "close" }).catch((error: unknown) => console.warn(`closing ${this.name}: ${String(error)}`));
    this.pending = undefined;
    await this.worker.terminate();
  }

  private ask(request: CaseRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  private settle(action: (pending: NonNullable<CaseThread<Timing>["pending"]>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) action(pending);
  }
}

/** The median of some numbers (the upper one of an even count). */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** A whole number ≥ 1 from the environment, or `fallback` when unset. */
export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1, got ${text}`);
  return value;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: round not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
