/**
 * The SQS calls the transport makes, behind a small interface: the seam where tests put a fake, and the one
 * place that loads `@aws-sdk/client-sqs` (on first use, so users of other transports never load the SDK).
 */
import type {
  ChangeMessageVisibilityBatchRequestEntry,
  ChangeMessageVisibilityBatchResult,
  DeleteMessageBatchRequestEntry,
  DeleteMessageBatchResult,
  Message,
  QueueAttributeName,
  ReceiveMessageRequest,
  SendMessageBatchRequestEntry,
  SendMessageBatchResult,
  SQSClient,
  SQSClientConfig,
} from "@aws-sdk/client-sqs";
import type * as SqsSdk from "@aws-sdk/client-sqs";
import { PollSignals } from "./sqs-poll-signals.ts";

/** The SQS operations the transport uses. Every method rejects with the SDK's error. */
export interface SqsApi {
  sendMessageBatch(queueUrl: string, entries: SendMessageBatchRequestEntry[]): Promise<SendMessageBatchResult>;
  receiveMessage(request: ReceiveMessageRequest, signal?: AbortSignal): Promise<Message[]>;
  deleteMessageBatch(queueUrl: string, entries: DeleteMessageBatchRequestEntry[]): Promise<DeleteMessageBatchResult>;
  changeMessageVisibility(queueUrl: string, receiptHandle: string, seconds: number): Promise<void>;
  changeMessageVisibilityBatch(
    queueUrl: string,
    entries: ChangeMessageVisibilityBatchRequestEntry[],
  ): Promise<ChangeMessageVisibilityBatchResult>;
  getQueueAttributes(queueUrl: string, names: QueueAttributeName[]): Promise<Partial<Record<string, string>>>;
  getQueueUrl(name: string, ownerAccountId?: string): Promise<string>;
  createQueue(name: string, attributes: Record<string, string>): Promise<string>;
  setQueueAttributes(queueUrl: string, attributes: Record<string, string>): Promise<void>;
  purgeQueue(queueUrl: string): Promise<void>;
  /** Releases the client's sockets, when the transport created the client. */
  destroy(): void;
}

type SqsModule = typeof SqsSdk;

let sdk: Promise<SqsModule> | undefined;

/** Loads the SDK once. */
function loadSqsSdk(): Promise<SqsModule> {
  sdk ??= import("@aws-sdk/client-sqs");
  return sdk;
}

/**
 * An {@link SqsApi} over an SDK client: the one given (never destroyed here, and used as it is configured), or
 * clients made from `config` on first use (credentials from the default provider chain unless `config` names them).
 *
 * Made clients come in two, both with the SDK's `cacheMiddleware` on (it resolves each command's middleware stack
 * once instead of on every call: nobody adds middleware to a client made here): one for every call but
 * ReceiveMessage, and one for the long polls, so that they never hold up a send or a delete on a socket. A long
 * poll's abort signal reaches its request through {@link PollSignals}, not through the call's options, which would
 * drop the cache. An injected client gets the signal in the call's options.
 */
export function createSqsApi(client: SQSClient | undefined, config: SQSClientConfig): SqsApi {
  let made: { client: SQSClient; polling: SQSClient } | undefined;
  const pollSignals = new PollSignals();
  const clients = async (): Promise<{ sqs: SqsModule; client: SQSClient; polling: SQSClient }> => {
    const sqs = await loadSqsSdk();
    if (client) return { sqs, client, polling: client };
    if (!made) {
      const polling = new sqs.SQSClient({ ...config, cacheMiddleware: true });
      pollSignals.attach(polling);
      made = { client: new sqs.SQSClient({ ...config, cacheMiddleware: true }), polling };
    }
    return { sqs, ...made };
  };
  return {
    async sendMessageBatch(QueueUrl, Entries) {
      const { sqs, client } = await clients();
      return client.send(new sqs.SendMessageBatchCommand({ QueueUrl, Entries }));
    },
    async receiveMessage(request, abortSignal) {
      const { sqs, polling } = await clients();
      const command = new sqs.ReceiveMessageCommand(request);
      const output = await (client
        ? polling.send(command, abortSignal ? { abortSignal } : {})
        : pollSignals.run(abortSignal, () => polling.send(command)));
      return output.Messages ?? [];
    },
    async deleteMessageBatch(QueueUrl, Entries) {
      const { sqs, client } = await clients();
      return client.send(new sqs.DeleteMessageBatchCommand({ QueueUrl, Entries }));
    },
    async changeMessageVisibility(QueueUrl, ReceiptHandle, VisibilityTimeout) {
      const { sqs, client } = await clients();
      await client.send(new sqs.ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout }));
    },
    async changeMessageVisibilityBatch(QueueUrl, Entries) {
      const { sqs, client } = await clients();
      return client.send(new sqs.ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries }));
    },
    async getQueueAttributes(QueueUrl, AttributeNames) {
      const { sqs, client } = await clients();
      const output = await client.send(new sqs.GetQueueAttributesCommand({ QueueUrl, AttributeNames }));
      return output.Attributes ?? {};
    },
    async getQueueUrl(QueueName, QueueOwnerAWSAccountId) {
      const { sqs, client } = await clients();
      const output = await client.send(new sqs.GetQueueUrlCommand({ QueueName, QueueOwnerAWSAccountId }));
      if (!output.QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${QueueName}`);
      return output.QueueUrl;
    },
    async createQueue(QueueName, Attributes) {
      const { sqs, client } = await clients();
      const output = await client.send(new sqs.CreateQueueCommand({ QueueName, Attributes }));
      if (!output.QueueUrl) throw new Error(`CreateQueue returned no URL for ${QueueName}`);
      return output.QueueUrl;
    },
    async setQueueAttributes(QueueUrl, Attributes) {
      const { sqs, client } = await clients();
      await client.send(new sqs.SetQueueAttributesCommand({ QueueUrl, Attributes }));
    },
    async purgeQueue(QueueUrl) {
      const { sqs, client } = await clients();
      await client.send(new sqs.PurgeQueueCommand({ QueueUrl }));
    },
    destroy() {
      made?.client.destroy();
      made?.polling.destroy();
    },
  };
}
