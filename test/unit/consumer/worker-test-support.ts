/** Shared pieces of the worker tests: queues, calls as envelopes, a recording store, waiting, a manual clock. */
import { randomUUID } from "node:crypto";
import {
  ContentType,
  MemoryStatusStore,
  MemoryTransport,
  MetadataKey,
  encodeCallMessage,
  uuidv7,
  type JobState,
  type JobTransition,
  type MethodDescriptor,
  type OutgoingMessage,
  type ProgressUpdate,
  type ProtocolName,
  type ServiceDescriptor,
  type TimerHandle,
  type TransitionOutcome,
  type WorkerClock,
} from "thrift-queue";

/** A memory transport on a fresh queue (or on `queue`, to open a second client of it). */
export function openQueue(options: { queue?: string; leaseMs?: number; maxAttempts?: number } = {}): MemoryTransport {
  return new MemoryTransport({
    queue: options.queue ?? `worker-test-${randomUUID()}`,
    leaseMs: options.leaseMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 10,
  });
}

/** Options of {@link callMessage}. */
export interface CallMessageOptions {
  readonly protocol?: ProtocolName;
  readonly multiplexed?: boolean;
  readonly deadline?: Date;
  readonly jobId?: string;
  readonly metadata?: Record<string, string>;
}

/** One call as the producer would send it. */
export function callMessage<Args>(
  service: ServiceDescriptor,
  method: MethodDescriptor<Args, unknown>,
  args: Args,
  options: CallMessageOptions = {},
): OutgoingMessage {
  const protocol = options.protocol ?? "binary";
  const id = options.jobId ?? uuidv7();
  const payload = encodeCallMessage(service, method, args, { protocol, multiplexed: options.multiplexed ?? true });
  const metadata: Record<string, string> = {
    [MetadataKey.contentType]: ContentType[protocol],
    [MetadataKey.jobId]: id,
    [MetadataKey.enqueuedAt]: new Date().toISOString(),
    ...options.metadata,
  };
  if (options.deadline) metadata[MetadataKey.deadline] = options.deadline.toISOString();
  return { id, payload, metadata };
}

/** A raw message with arbitrary bytes and metadata. */
export function rawMessage(payload: Uint8Array, metadata: Record<string, string> = {}): OutgoingMessage {
  const id = uuidv7();
  return {
    id,
    payload,
    metadata: { [MetadataKey.contentType]: ContentType.binary, [MetadataKey.jobId]: id, ...metadata },
  };
}

/** A memory store that records every applied transition and progress write, and can be made to fail. */
export class RecordingStore extends MemoryStatusStore {
  readonly applied: { id: string; to: JobState; attempt: number }[] = [];
  readonly progressWrites: ProgressUpdate[] = [];
  /** Transitions to these states reject while set. */
  readonly failing = new Set<JobState>();
  transitionCalls = 0;

  override async transition(move: JobTransition): Promise<TransitionOutcome> {
    this.transitionCalls++;
    if (this.failing.has(move.to)) throw new Error(`store down for ${move.to}`);
    const outcome = await super.transition(move);
    if (outcome.applied) this.applied.push({ id: move.id, to: move.to, attempt: move.attempt });
    return outcome;
  }

  override progress(update: ProgressUpdate): Promise<boolean> {
    this.progressWrites.push(update);
    return super.progress(update);
  }

  /** The states a job went through, in order. */
  history(id: string): string[] {
    return this.applied.filter((entry) => entry.id === id).map((entry) => `${entry.to}@${entry.attempt}`);
  }
}

/** Polls until `check` returns true; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A clock whose time moves only when told; timers run on {@link ManualClock.advance}. */
export class ManualClock implements WorkerClock {
  private time = 1_700_000_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void; everyMs?: number }>();

  now = (): number => this.time;

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback, everyMs: ms });
    return id;
  }

  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running each due timer in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let nextId: number | undefined;
      let next: { at: number; callback: () => void; everyMs?: number } | undefined;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === undefined || timer.at < next.at)) [nextId, next] = [id, timer];
      }
      if (next === undefined || nextId === undefined) break;
      this.time = next.at;
      if (next.everyMs === undefined) this.timers.delete(nextId);
      else next.at += next.everyMs;
      next.callback();
    }
    this.time = end;
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.timers.size;
  }
}

/** The dead letters of a queue, with their reasons (read, then given back). */
export async function deadLetterReasons(transport: MemoryTransport): Promise<string[]> {
  const stats = await transport.stats();
  const count = stats.deadLettered ?? 0;
  if (count === 0) return [];
  const reasons: string[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 1_000);
  try {
    for await (const delivery of transport.receive({ deadLetters: true, signal: controller.signal })) {
      reasons.push(delivery.metadata[MetadataKey.deadLetterReason] ?? "");
      await delivery.nack();
      if (reasons.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return reasons;
}

/** Things to stop and close after each test. */
export class Cleanup {
  private readonly tasks: (() => Promise<unknown>)[] = [];

  /** Stops a worker, or closes a transport without waiting for unsettled deliveries. */
  add<
    T extends
      | { stop(options?: { drainTimeoutMs?: number }): Promise<void> }
      | { close(options?: { drainTimeoutMs?: number }): Promise<void> },
  >(thing: T): T {
    this.tasks.push(() => ("stop" in thing ? thing.stop({ drainTimeoutMs: 100 }) : thing.close({ drainTimeoutMs: 0 })));
    return thing;
  }

  async run(): Promise<void> {
    const tasks = this.tasks.splice(0).reverse();
    for (const task of tasks) await task().catch(() => undefined);
  }
}
