/**
 * Splitting a send into valid SendMessageBatch calls: SQS takes at most 10 entries per call and at most 1 MiB
 * for all of them together (each message's body plus its attributes' names, types and values). Pure.
 */

/** Most entries in one SQS batch call. */
export const MAX_BATCH_ENTRIES = 10;

/** Most bytes of all entries of one SendMessageBatch call together (1 MiB). */
export const MAX_BATCH_BYTES = 1_048_576;

/** The limits of one batch. */
export interface BatchLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** SQS's limits. */
export const SQS_BATCH_LIMITS: BatchLimits = { maxEntries: MAX_BATCH_ENTRIES, maxBytes: MAX_BATCH_BYTES };

/**
 * Splits items into consecutive batches, in order, each within `limits`: a batch is closed when the next item
 * would take it past either limit. An item larger than `maxBytes` on its own gets a batch of its own (the caller
 * refuses such items before this; SQS would reject that entry alone).
 */
export function splitIntoBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: BatchLimits = SQS_BATCH_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= limits.maxEntries || currentBytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Runs `work` on every item with at most `limit` running at once; resolves when all have settled. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
