/**
 * Which receive of each message is the latest one this process saw. SQS accepts a stale receipt handle silently
 * (DeleteMessage "succeeds" without deleting, as AWS documents), so a consumer whose lease ran out would never
 * learn that the message went to someone else. Every receive in the process records a new generation per SQS
 * message id; settling with an older generation is a lost lease. Shared by every transport of the process, keyed
 * by queue URL; bounded, forgetting the oldest messages first.
 */

/**
 * Messages remembered per queue, at least; beyond twice this the oldest are forgotten (their settlements are then
 * not checked).
 */
export const GENERATION_SIZE = 100_000;

/**
 * The receives of one queue, in two generations: new receives go to `current`; when it is full it becomes
 * `previous` and the one before is dropped whole. Forgetting a generation at once, rather than the oldest entry on
 * every receive, keeps each receive to a lookup and an insert (a Map whose oldest entries are deleted one by one
 * makes finding the next oldest ever slower).
 */
class Receives {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();

  record(messageId: string, generation: number): void {
    if (this.current.size >= GENERATION_SIZE) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(messageId, generation);
  }

  latest(messageId: string): number | undefined {
    return this.current.get(messageId) ?? this.previous.get(messageId);
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
