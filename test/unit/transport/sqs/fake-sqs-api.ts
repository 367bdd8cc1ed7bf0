/** A scripted {@link SqsApi} for unit tests: records calls, answers SendMessageBatch and DeleteMessageBatch as told. */
import type {
  BatchResultErrorEntry,
  DeleteMessageBatchRequestEntry,
  DeleteMessageBatchResultEntry,
  SendMessageBatchResultEntry,
  DeleteMessageBatchResult,
  SendMessageBatchRequestEntry,
  SendMessageBatchResult,
} from "@aws-sdk/client-sqs";
import type { SqsApi } from "../../../../src/transport/sqs/sqs-api.ts";

/** One SendMessageBatch call as the fake saw it. */
export interface SendCall {
  readonly queueUrl: string;
  readonly entries: readonly SendMessageBatchRequestEntry[];
}

/** How the fake answers one SendMessageBatch entry: accepted, failed with a code, or the whole call throws. */
export type SendAnswer = "ok" | { readonly code: string; readonly senderFault: boolean };

/** Options of {@link fakeSqsApi}. */
export interface FakeSqsOptions {
  /** Answer for an entry, by its MessageBody; `attempt` counts the calls that carried this body. */
  readonly answer?: (body: string, attempt: number) => SendAnswer;
  /** Throw this from the n-th (1-based) SendMessageBatch call. */
  readonly throwOnCall?: { readonly call: number; readonly error: Error };
  /** Answer for a DeleteMessageBatch entry, by receipt handle. */
  readonly deleteAnswer?: (receiptHandle: string) => SendAnswer;
}

/** A fake SQS: `sends` and `deletes` record every call. */
export function fakeSqsApi(options: FakeSqsOptions = {}): SqsApi & {
  sends: SendCall[];
  deletes: DeleteMessageBatchRequestEntry[][];
} {
  const sends: SendCall[] = [];
  const deletes: DeleteMessageBatchRequestEntry[][] = [];
  const seen = new Map<string, number>();
  const unused = (): Promise<never> => Promise.reject(new Error("not used by this test"));
  return {
    sends,
    deletes,
    sendMessageBatch(queueUrl, entries): Promise<SendMessageBatchResult> {
      sends.push({ queueUrl, entries });
      if (options.throwOnCall?.call === sends.length) return Promise.reject(options.throwOnCall.error);
      const result = { Successful: [] as SendMessageBatchResultEntry[], Failed: [] as BatchResultErrorEntry[] };
      for (const entry of entries) {
        const body = entry.MessageBody ?? "";
        const attempt = (seen.get(body) ?? 0) + 1;
        seen.set(body, attempt);
        const answer = options.answer?.(body, attempt) ?? "ok";
        if (answer === "ok") result.Successful.push({ Id: entry.Id, MessageId: `m-${body}`, MD5OfMessageBody: "" });
        else result.Failed.push({ Id: entry.Id, Code: answer.code, SenderFault: answer.senderFault, Message: "no" });
      }
      return Promise.resolve(result);
    },
    deleteMessageBatch(_queueUrl, entries): Promise<DeleteMessageBatchResult> {
      deletes.push(entries);
      const result = { Successful: [] as DeleteMessageBatchResultEntry[], Failed: [] as BatchResultErrorEntry[] };
      for (const entry of entries) {
        const answer = options.deleteAnswer?.(entry.ReceiptHandle ?? "") ?? "ok";
        if (answer === "ok") result.Successful.push({ Id: entry.Id });
        else result.Failed.push({ Id: entry.Id, Code: answer.code, SenderFault: answer.senderFault, Message: "no" });
      }
      return Promise.resolve(result);
    },
    receiveMessage: unused,
    changeMessageVisibility: unused,
    changeMessageVisibilityBatch: unused,
    getQueueAttributes: () => Promise.resolve({}),
    getQueueUrl: (name) => Promise.resolve(`https://sqs.example/000000000000/${name}`),
    createQueue: unused,
    setQueueAttributes: unused,
    purgeQueue: unused,
    destroy: () => undefined,
  };
}
