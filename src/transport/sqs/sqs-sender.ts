/**
 * Sends prepared messages with SendMessageBatch: split into valid batches (≤ 10 entries, ≤ 1 MiB), sent
 * concurrently (one after another for FIFO queues, which keep order only that way), and every entry accounted
 * for. An entry SQS failed on its side (BatchResultErrorEntry with SenderFault false) is tried again a few times;
 * whatever still fails is reported by job id, so the caller can reject exactly those.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { TransportError } from "../../errors.ts";
import type { SqsApi } from "./sqs-api.ts";
import { forEachConcurrently, splitIntoBatches } from "./sqs-batches.ts";
import { awsErrorCode, isRetryableAwsError } from "./sqs-errors.ts";

/** One message ready for SQS. */
export interface OutgoingEntry {
  /** The job id, named when the entry fails. */
  readonly id: string;
  /** The batch entry without its `Id` (the sender numbers entries within each call). */
  readonly request: Omit<SendMessageBatchRequestEntry, "Id">;
  /** The entry's size as SQS counts it (body plus attributes). */
  readonly size: number;
}

/** Why one entry was not sent. */
export interface SendFailure {
  readonly id: string;
  /** SQS's error code (`InternalError`, `InvalidParameterValue` …). */
  readonly code: string;
  readonly message: string;
  /** Whether sending it again later may work (SQS failed on its side, or could not be reached). */
  readonly retryable: boolean;
}

/** How {@link sendEntries} sends. */
export interface SendEntriesOptions {
  /** Send batches one after another, stopping at the first that fails (FIFO queues). */
  readonly sequential: boolean;
  /** Most batch calls at once when not sequential. @defaultValue 16 */
  readonly concurrency?: number;
  /** Extra tries of entries SQS failed on its side. @defaultValue 2 */
  readonly retries?: number;
  /** Wait before the first extra try, in ms; it doubles. @defaultValue 50 */
  readonly retryDelayMs?: number;
}

/** Sends every entry; resolves with the entries that were not sent (empty when all were). Never rejects. */
export async function sendEntries(
  api: SqsApi,
  queueUrl: string,
  entries: readonly OutgoingEntry[],
  options: SendEntriesOptions,
): Promise<SendFailure[]> {
  const batches = splitIntoBatches(entries, (entry) => entry.size);
  // The producer sends up to 10 messages per call: usually one batch, sent as it is.
  if (batches.length === 1) return sendWithRetries(api, queueUrl, entries, options);
  const failures: SendFailure[] = [];
  const send = (batch: readonly OutgoingEntry[]): Promise<SendFailure[]> =>
    sendWithRetries(api, queueUrl, batch, options);
  if (!options.sequential) {
    await forEachConcurrently(batches, options.concurrency ?? 16, async (batch) => {
      failures.push(...(await send(batch)));
    });
    return orderLike(entries, failures);
  }
  for (const [index, batch] of batches.entries()) {
    const failed = await send(batch);
    if (failed.length === 0) continue;
    failures.push(...failed);
    // Later messages are not sent, so that the queue never holds them ahead of an earlier one that failed.
    for (const entry of batches.slice(index + 1).flat()) {
      failures.push({
        id: entry.id,
        code: "NotSent",
        message: "not sent, after an earlier message failed",
        retryable: true,
      });
    }
    break;
  }
  return failures;
}

/** One batch, trying again the entries SQS failed on its side. */
async function sendWithRetries(
  api: SqsApi,
  queueUrl: string,
  batch: readonly OutgoingEntry[],
  options: SendEntriesOptions,
): Promise<SendFailure[]> {
  const retries = options.retries ?? 2;
  const final: SendFailure[] = [];
  let pending = batch;
  for (let attempt = 0; ; attempt++) {
    const failed = await sendBatch(api, queueUrl, pending);
    if (failed.length === 0) return final;
    const retry = attempt < retries ? failed.filter((failure) => failure.tryAgain) : [];
    final.push(...failed.filter((failure) => !retry.includes(failure)).map(({ failure }) => failure));
    if (retry.length === 0) return final;
    await sleep((options.retryDelayMs ?? 50) * 2 ** attempt);
    pending = retry.map(({ entry }) => entry);
  }
}

interface BatchFailure {
  readonly entry: OutgoingEntry;
  readonly failure: SendFailure;
  /** Worth another try here: SQS failed the entry on its side within a batch that was answered. */
  readonly tryAgain: boolean;
}

/** The `Id` of each entry of a batch call: its position. */
const ENTRY_IDS = Array.from({ length: 10 }, (_, index) => String(index));

/** One SendMessageBatch call; every entry not reported successful is a failure. */
async function sendBatch(api: SqsApi, queueUrl: string, batch: readonly OutgoingEntry[]): Promise<BatchFailure[]> {
  let result;
  try {
    result = await api.sendMessageBatch(
      queueUrl,
      batch.map((entry, index) => ({ ...entry.request, Id: ENTRY_IDS[index] ?? String(index) })),
    );
  } catch (error) {
    // The SDK has retried transient failures of the whole call already: report, do not retry here.
    const code = awsErrorCode(error) ?? "Error";
    const message = error instanceof Error ? error.message : String(error);
    const retryable = isRetryableAwsError(error);
    return batch.map((entry) => ({ entry, tryAgain: false, failure: { id: entry.id, code, message, retryable } }));
  }
  const succeeded = new Set((result.Successful ?? []).map((entry) => entry.Id));
  const failed = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
  const failures: BatchFailure[] = [];
  for (const [index, entry] of batch.entries()) {
    const answer = failed.get(String(index));
    if (answer) {
      const retryable = answer.SenderFault !== true;
      const failure = { id: entry.id, code: answer.Code ?? "Error", message: answer.Message ?? "", retryable };
      failures.push({ entry, tryAgain: retryable, failure });
    } else if (!succeeded.has(String(index))) {
      const failure = { id: entry.id, code: "NoAnswer", message: "SQS did not answer for this entry", retryable: true };
      failures.push({ entry, tryAgain: true, failure });
    }
  }
  return failures;
}

function orderLike(entries: readonly OutgoingEntry[], failures: SendFailure[]): SendFailure[] {
  if (failures.length === 0) return failures;
  const position = new Map(entries.map((entry, index) => [entry.id, index]));
  return [...failures].sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
}

/** The TransportError for entries that were not sent, naming their ids. */
export function failureError(doing: string, failures: readonly SendFailure[], queue: string): TransportError {
  const retryable = failures.every((failure) => failure.retryable);
  const code = failures.every((failure) => !failure.retryable) ? "TRANSPORT_REJECTED" : "TRANSPORT_UNAVAILABLE";
  const shown = failures.slice(0, 5).map((failure) => `${failure.id}: ${failure.code} ${failure.message}`.trim());
  const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : "";
  return new TransportError(code, `${doing}: ${shown.join("; ")}${more}`, {
    retryable,
    queue,
    messageIds: failures.map((failure) => failure.id),
  });
}
