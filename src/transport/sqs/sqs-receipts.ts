/**
 * Which receive of each message is the latest one this process saw. SQS accepts a stale receipt handle silently
 * (DeleteMessage "succeeds" without deleting, as AWS documents), so a consumer whose lease ran out would never
 * learn that the message went to someone else. Every receive in the process records a new generation per SQS
 * message id; settling with an older generation is a lost lease. Shared by every transport of the process, keyed
 * by queue URL; bounded, forgetting the oldest messages first.
 */

/** Messages remembered per queue; beyond this the oldest are forgotten (their settlements are then not checked). */
const MAX_REMEMBERED = 100_000;

const queues = new Map<string, Map<string, number>>();
let nextGeneration = 1;

/** Records a receive of `messageId` from `queueUrl`; returns its generation. */
export function recordReceive(queueUrl: string, messageId: string): number {
  let messages = queues.get(queueUrl);
  if (!messages) queues.set(queueUrl, (messages = new Map<string, number>()));
  const generation = nextGeneration++;
  messages.delete(messageId);
  messages.set(messageId, generation);
  if (messages.size > MAX_REMEMBERED) {
    const oldest = messages.keys().next();
    if (!oldest.done) messages.delete(oldest.value);
  }
  return generation;
}

/** Whether `generation` is still the latest receive of `messageId` this process knows of. */
export function isLatestReceive(queueUrl: string, messageId: string, generation: number): boolean {
  const latest = queues.get(queueUrl)?.get(messageId);
  return latest === undefined || latest === generation;
}
