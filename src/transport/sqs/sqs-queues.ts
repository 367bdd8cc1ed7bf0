/**
 * The queues behind one transport: the work queue and its dead-letter queue, found by URL or name, or created
 * with a RedrivePolicy (`maxReceiveCount` = maxAttempts) when the `create` option asks. Resolved on first use and
 * remembered; a failed resolution is tried again on the next use.
 */
import type { SqsApi } from "./sqs-api.ts";
import { awsErrorCode, isQueueMissingError, toSqsTransportError } from "./sqs-errors.ts";
import type { ResolvedSqsOptions } from "./sqs-options.ts";

/** One queue: its name and URL. */
export interface QueueRef {
  readonly name: string;
  readonly url: string;
}

/** The work queue and, when there is one, its dead-letter queue. */
export interface SqsTopology {
  readonly main: QueueRef;
  readonly dead: QueueRef | undefined;
}

/** The longest retention SQS allows (14 days), so dead letters wait as long as possible. */
const DEAD_LETTER_RETENTION_SECONDS = "1209600";

const QUEUE_EXISTS_CODES = new Set(["QueueNameExists", "QueueAlreadyExists"]);

/** Finds (or creates) the queues of one transport. */
export class SqsQueues {
  private readonly api: SqsApi;
  private readonly options: ResolvedSqsOptions;
  private resolving: Promise<SqsTopology> | undefined;

  constructor(api: SqsApi, options: ResolvedSqsOptions) {
    this.api = api;
    this.options = options;
  }

  /** The queues; creates them first when the `create` option is set. */
  resolve(): Promise<SqsTopology> {
    this.resolving ??= (this.options.create ? this.createQueues() : this.findQueues()).catch((error: unknown) => {
      this.resolving = undefined;
      throw toSqsTransportError(error, "cannot find the queues", this.options.queue);
    });
    return this.resolving;
  }

  /** The dead-letter queue, or a TransportError saying there is none. */
  async deadLetterQueue(): Promise<QueueRef> {
    const { dead } = await this.resolve();
    if (dead) return dead;
    throw toSqsTransportError(
      Object.assign(new Error(`no dead-letter queue ${this.options.deadLetterQueue}`), { name: "QueueDoesNotExist" }),
      "cannot dead-letter",
      this.options.queue,
    );
  }

  /**
   * Creates the dead-letter queue, then the queue with a RedrivePolicy pointing at it (updating the policy of a
   * queue that exists). Idempotent.
   */
  async createQueues(): Promise<SqsTopology> {
    const { fifo, deadLetterQueue, queue, maxAttempts } = this.options;
    const kind: Record<string, string> = fifo ? { FifoQueue: "true" } : {};
    const deadUrl = await this.createQueue(deadLetterQueue, {
      ...kind,
      MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
    });
    const { QueueArn: deadArn } = await this.api.getQueueAttributes(deadUrl, ["QueueArn"]);
    if (!deadArn) throw new Error(`SQS gave no ARN for ${deadLetterQueue}`);
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: deadArn, maxReceiveCount: maxAttempts });
    const mainUrl = await this.createQueue(queue, { ...kind, RedrivePolicy });
    const { RedrivePolicy: current } = await this.api.getQueueAttributes(mainUrl, ["RedrivePolicy"]);
    if (current !== RedrivePolicy) await this.api.setQueueAttributes(mainUrl, { RedrivePolicy });
    const topology = { main: { name: queue, url: mainUrl }, dead: { name: deadLetterQueue, url: deadUrl } };
    this.resolving = Promise.resolve(topology);
    return topology;
  }

  private async findQueues(): Promise<SqsTopology> {
    const { queue, queueUrl, deadLetterQueue } = this.options;
    const mainUrl = queueUrl ?? (await this.api.getQueueUrl(queue));
    const main = { name: queue, url: mainUrl };
    const { RedrivePolicy } = await this.api.getQueueAttributes(mainUrl, ["RedrivePolicy"]);
    const target = deadLetterTargetOf(RedrivePolicy);
    try {
      if (target)
        return { main, dead: { name: target.name, url: await this.api.getQueueUrl(target.name, target.account) } };
      return { main, dead: { name: deadLetterQueue, url: await this.api.getQueueUrl(deadLetterQueue) } };
    } catch (error) {
      if (isQueueMissingError(error)) return { main, dead: undefined };
      throw error;
    }
  }

  private async createQueue(name: string, attributes: Record<string, string>): Promise<string> {
    try {
      return await this.api.createQueue(name, attributes);
    } catch (error) {
      // The queue exists with other attributes (a RedrivePolicy of its own, another retention): use it as it is.
      const code = awsErrorCode(error);
      if (code !== undefined && QUEUE_EXISTS_CODES.has(code)) return this.api.getQueueUrl(name);
      throw error;
    }
  }
}

/** The dead-letter queue a RedrivePolicy names (`arn:aws:sqs:<region>:<account>:<name>`), if any. */
export function deadLetterTargetOf(redrivePolicy: string | undefined): { name: string; account: string } | undefined {
  if (redrivePolicy === undefined || redrivePolicy === "") return undefined;
  try {
    const policy = JSON.parse(redrivePolicy) as { deadLetterTargetArn?: unknown };
    const arn = policy.deadLetterTargetArn;
    if (typeof arn !== "string") return undefined;
    const parts = arn.split(":");
    const name = parts[5];
    const account = parts[4];
    return parts.length === 6 && name && account ? { name, account } : undefined;
  } catch {
    return undefined;
  }
}
