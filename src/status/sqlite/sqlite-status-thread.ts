/**
 * The thread behind a {@link ThreadedSqliteStatusStore}: it owns the SQLite connection and runs the store's
 * statements, so that the caller's event loop spends nothing on them. The calls of one request message enter the
 * store in one turn and so share one transaction group; their answers go back in one reply once the group
 * committed. Started by threaded-sqlite-status-store.ts with the options in `workerData`; not for direct use.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { Logger, LogMethod } from "../../logger.ts";
import { SqliteStatusStore } from "./sqlite-status-store.ts";
import {
  THREADED_METHODS,
  toCrossingError,
  type ThreadAnswer,
  type ThreadCall,
  type ThreadedMethod,
  type ThreadLogLevel,
  type ThreadReply,
  type ThreadRequest,
  type ThreadStoreOptions,
} from "./sqlite-status-thread-protocol.ts";

/** Answers a store's calls on `port` until asked to close. */
function serve(port: MessagePort, options: ThreadStoreOptions): void {
  const reply = (message: ThreadReply): void => port.postMessage(message);
  let store: SqliteStatusStore;
  try {
    store = new SqliteStatusStore({ ...options, logger: forwardingLogger(reply) });
  } catch (error) {
    reply({ kind: "open-failed", error: toCrossingError(error) });
    port.close();
    return;
  }
  const answers = new AnswerBatch(reply);
  port.on("message", (request: ThreadRequest) => {
    if (request.kind === "calls") {
      for (const call of request.calls) answers.track(call.seq, invoke(store, call));
      return;
    }
    void store.close().then(() => {
      answers.flush();
      reply({ kind: "closed" });
      port.close();
    });
  });
  reply({ kind: "ready" });
}

/** Collects the answers settled in one microtask run and sends them in one reply. */
class AnswerBatch {
  private readonly reply: (message: ThreadReply) => void;
  private pending: ThreadAnswer[] = [];
  private scheduled = false;

  constructor(reply: (message: ThreadReply) => void) {
    this.reply = reply;
  }

  track(seq: number, result: Promise<unknown>): void {
    result.then(
      (value: unknown) => this.add({ seq, ok: true, value }),
      (error: unknown) => this.add({ seq, ok: false, error: toCrossingError(error) }),
    );
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const answers = this.pending;
    this.pending = [];
    this.reply({ kind: "answers", answers });
  }

  private add(answer: ThreadAnswer): void {
    this.pending.push(answer);
    if (this.scheduled) return;
    this.scheduled = true;
    // A group's writes settle one after the other in the same microtask run: the flush queued behind the first
    // answer runs after the rest of them.
    queueMicrotask(() => this.flush());
  }
}

/** Runs one call on the store; a name that is no store method is refused like a bad argument. */
function invoke(store: SqliteStatusStore, call: ThreadCall): Promise<unknown> {
  if (!THREADED_METHODS.has(call.method)) {
    return Promise.reject(new TypeError(`not a status store method: ${String(call.method)}`));
  }
  try {
    const methods = store as unknown as Record<ThreadedMethod, (...args: readonly unknown[]) => Promise<unknown>>;
    return methods[call.method](...call.args);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A logger that sends every record to the caller's logger; what cannot be cloned is sent as text. */
function forwardingLogger(reply: (message: ThreadReply) => void): Logger {
  const method =
    (level: ThreadLogLevel): LogMethod =>
    (context, message) => {
      const record = message === undefined ? { kind: "log", level, context } : { kind: "log", level, context, message };
      try {
        reply(record as ThreadReply);
      } catch {
        reply({ ...(record as ThreadReply & { kind: "log" }), context: { context: describe(context) } });
      }
    };
  return { debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

function describe(context: object): string {
  return Object.entries(context)
    .map(([key, value]) => `${key}=${value instanceof Error ? value.message : String(value)}`)
    .join(" ");
}

if (parentPort !== null) serve(parentPort, workerData as ThreadStoreOptions);
