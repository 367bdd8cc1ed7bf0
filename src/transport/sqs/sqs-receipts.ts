/**
 * Which receive of each message is the latest one this process saw. SQS accepts a stale receipt handle silently
 * (DeleteMessage "succeeds" without deleting, as AWS documents), so a consumer whose lease ran out would never
 * learn that the message went to someone else. Every receive in the process records a new generation per SQS
 * message id; settling with an older generation is a lost lease. Shared by every transport of the process, keyed
 * by queue URL; bounded, forgetting the oldest messages first.
 */

/**
 * Messages remembered per queue, at least; beyond twice this the oldest are forgotten (their settlements are then
 * not checked). Messages acked after their only receive are forgotten at once, so in steady state the registry
 * holds about as many messages as are in flight; the bound is for those that go another way (released, nacked,
 * left to run out).
 */
export const GENERATION_SIZE = 100_000;

/** What is known of one message: its latest receive, and how often this process received it. */
interface Entry {
  generation: number;
  receives: number;
}

/**
 * The receives of one queue, in two generations: new receives go to `current`; when it is full it becomes
 * `previous` and the one before is dropped whole. Forgetting a generation at once, rather than the oldest entry on
 * every receive, keeps each receive to a lookup and an insert (a Map whose oldest entries are deleted one by one
 * makes finding the next oldest ever slower).
 */
class Receives {
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();

  record(messageId: string, generation: number): void {
    const known = this.current.get(messageId);
    if (known) {
      known.generation = generation;
      known.receives++;
      return;
    }
    const older = this.previous.get(messageId);
    if (older) this.previous.delete(messageId);
    if (this.current.size >= GENERATION_SIZE) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(messageId, { generation, receives: (older?.receives ?? 0) + 1 });
  }

  latest(messageId: string): number | undefined {
    return (this.current.get(messageId) ?? this.previous.get(messageId))?.generation;
  }

  /** Forgets a message settled by its one and only receive. */
  forget(messageId: string, generation: number): void {
    const entry = this.current.get(messageId) ?? this.previous.get(messageId);
    if (entry?.generation !== generation || entry.receives !== 1) return;
    this.current.delete(messageId);
    this.previous.delete(messageId);
  }
}

const queues = new Map<string, Receives>();
let nextGeneration = 1;

/** Records a receive of `messageId` from `queueUrl`; returns its generation. */
export function recordReceive(queueUrl: string, messageId: string): number {
  let receives = queues.get(queueUrl);
  if (!receives) queues.set(queueUrl, (receives = new Receives()));
  const generation = nextGeneration++;
  receives.record(messageId, generation);
  return generation;
}

/** Whether `generation` is still the latest receive of `messageId` this process knows of. */
export function isLatestReceive(queueUrl: string, messageId: string, generation: number): boolean {
  const latest = queues.get(queueUrl)?.latest(messageId);
  return latest === undefined || latest === generation;
}

/**
 * The message was deleted by the receive of `generation`. When that was its only receive in this process, nobody
 * else can hold a stale lease on it, and it is forgotten; a message received more than once stays known, so that
 * an older holder still learns its lease was lost.
 */
export function forgetDeleted(queueUrl: string, messageId: string, generation: number): void {
  queues.get(queueUrl)?.forget(messageId, generation);
}
