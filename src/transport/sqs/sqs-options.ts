/**
 * Options of the SQS transport: the documented interface, its defaults (applied here and nowhere else) and one
 * validation that reports every bad field at once. Sources, weakest first: the options object, the URL's query
 * parameters, then `THRIFT_QUEUE_SQS_*` environment variables (see sqs-parameters.ts).
 */
import process from "node:process";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient, SQSClientConfig } from "@aws-sdk/client-sqs";
import { ConfigError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";
import { optionsFromEnvironment, optionsFromUrl } from "./sqs-parameters.ts";
import { MAX_SQS_ATTRIBUTES } from "./sqs-wire.ts";

/** Options of {@link SqsTransport}. */
export interface SqsTransportOptions {
  /** `sqs://<queue>?region=…&endpoint=…` or a full queue URL; its query parameters override the fields here. */
  readonly url?: string;
  /** The queue name (`jobs`, or `jobs.fifo` for a FIFO queue) or its full queue URL. @defaultValue the URL's */
  readonly queue?: string;
  /** AWS region. @defaultValue the queue URL's, else the SDK's chain (AWS_REGION …), else `us-east-1` with an endpoint */
  readonly region?: string;
  /** Endpoint override, for emulators (`http://127.0.0.1:4566`) or VPC endpoints. @defaultValue AWS's */
  readonly endpoint?: string;
  /** Credentials for the SDK clients the transport makes. @defaultValue the AWS default provider chain */
  readonly credentials?: SQSClientConfig["credentials"];
  /** Deliveries before a message is dead-lettered; also the RedrivePolicy's maxReceiveCount. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Default lease (visibility timeout) of a delivery, in ms, rounded up to whole seconds. @defaultValue 30000 */
  readonly leaseMs?: number;
  /** Create the queue and its dead-letter queue (with a RedrivePolicy) when first used. @defaultValue false */
  readonly create?: boolean;
  /** Name of the dead-letter queue. @defaultValue `<queue>-dead`, or `<name>-dead.fifo` for `<name>.fifo` */
  readonly deadLetterQueue?: string;
  /** Most ReceiveMessage calls one `receive` runs at once (each takes up to 10 messages). @defaultValue 2 */
  readonly pollers?: number;
  /** Long-polling wait of each ReceiveMessage call, 0–20 s. @defaultValue 20 */
  readonly waitTimeSeconds?: number;
  /** The queue's MaximumMessageSize: body plus attributes, at most 1 MiB. @defaultValue 1048576 */
  readonly maxMessageBytes?: number;
  /** S3 bucket for messages over `offloadThresholdBytes`; without one they are refused. @defaultValue none */
  readonly offloadBucket?: string;
  /** Messages larger than this (body plus attributes) go to S3; at most `maxMessageBytes`. @defaultValue 262144 */
  readonly offloadThresholdBytes?: number;
  /** Prefix of the S3 keys of offloaded bodies (the rest is a random UUID). @defaultValue "" */
  readonly offloadKeyPrefix?: string;
  /** Keep offloaded S3 objects after the ack (a lifecycle rule expires them). @defaultValue false */
  readonly keepOffloadedPayloads?: boolean;
  /** Largest payload accepted. @defaultValue 256 MiB with an `offloadBucket`, else what fits inline (762 KiB) */
  readonly maxPayloadBytes?: number;
  /** FIFO queues: the MessageGroupId of messages sent without a `groupId`. @defaultValue "default" */
  readonly fifoGroupId?: string;
  /** S3 endpoint override. @defaultValue `endpoint` */
  readonly s3Endpoint?: string;
  /** Path-style S3 URLs (emulators need them). @defaultValue true when an S3 endpoint is set */
  readonly s3ForcePathStyle?: boolean;
  /** The SQS client to use (not destroyed on close). @defaultValue one made from the options above */
  readonly sqsClient?: SQSClient;
  /** The S3 client to use (not destroyed on close). @defaultValue one made from the options above */
  readonly s3Client?: S3Client;
  /** Where the transport logs poll failures and messages it dead-letters itself. @defaultValue silent */
  readonly logger?: Logger;
  /** Read `THRIFT_QUEUE_SQS_*` environment overrides. @defaultValue true */
  readonly useEnvironment?: boolean;
  /** The environment to read them from. @defaultValue process.env */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** {@link SqsTransportOptions} with every default applied and the queue located. */
export interface ResolvedSqsOptions {
  /** The queue name. */
  readonly queue: string;
  /** The queue URL when it was given; otherwise it is looked up by name. */
  readonly queueUrl: string | undefined;
  readonly fifo: boolean;
  readonly deadLetterQueue: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly credentials: SQSClientConfig["credentials"] | undefined;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly create: boolean;
  readonly pollers: number;
  readonly waitTimeSeconds: number;
  readonly maxMessageBytes: number;
  readonly offloadBucket: string | undefined;
  readonly offloadThresholdBytes: number;
  readonly offloadKeyPrefix: string;
  readonly keepOffloadedPayloads: boolean;
  readonly maxPayloadBytes: number;
  /** Most metadata entries a message may carry (room is kept for ExtendedPayloadSize and dead-letter-reason). */
  readonly maxMetadataEntries: number;
  readonly fifoGroupId: string;
  readonly s3Endpoint: string | undefined;
  readonly s3ForcePathStyle: boolean;
  readonly sqsClient: SQSClient | undefined;
  readonly s3Client: S3Client | undefined;
  readonly logger: Logger;
}

/** SQS's largest message, and the largest MaximumMessageSize a queue can have. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
/** SQS's longest visibility timeout: 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;
/** Room kept for attributes when computing the largest inline payload. */
const ATTRIBUTE_ROOM_BYTES = 8192;
/** Largest offloaded payload: its base64 text must stay well within V8's longest string. */
export const MAX_OFFLOADED_PAYLOAD_BYTES = 256 * 1024 * 1024;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_SUFFIX = ".fifo";
/** `https://sqs.<region>.amazonaws.com/<account>/<queue>` (and the `sqs-<region>`, `.cn` variants). */
const AWS_SQS_HOST = /^sqs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The largest payload whose base64 body fits in a message of `maxMessageBytes` with room for attributes. */
export function inlinePayloadLimit(maxMessageBytes: number): number {
  return Math.max(0, Math.floor((maxMessageBytes - ATTRIBUTE_ROOM_BYTES) / 4) * 3);
}

/** Applies the sources and defaults, and checks every field; throws one ConfigError naming every bad field. */
export function resolveSqsOptions(options: SqsTransportOptions): ResolvedSqsOptions {
  const problems: string[] = [];
  const fromUrl = options.url === undefined ? {} : optionsFromUrl(options.url, problems);
  const environment = options.useEnvironment === false ? {} : (options.environment ?? process.env);
  const merged: SqsTransportOptions = { ...options, ...fromUrl, ...optionsFromEnvironment(environment, problems) };
  const location = locateQueue(merged.queue, problems);
  const endpoint = merged.endpoint ?? location.endpoint;
  const fifo = location.name.endsWith(FIFO_SUFFIX);
  const offloadBucket = merged.offloadBucket === "" ? undefined : merged.offloadBucket;
  const maxMessageBytes = merged.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES;
  const payloadCap = offloadBucket ? MAX_OFFLOADED_PAYLOAD_BYTES : inlinePayloadLimit(maxMessageBytes);
  const s3Endpoint = merged.s3Endpoint ?? endpoint;
  const resolved: ResolvedSqsOptions = {
    queue: location.name,
    queueUrl: location.url,
    fifo,
    deadLetterQueue: merged.deadLetterQueue ?? defaultDeadLetterQueue(location.name),
    region: merged.region ?? location.region ?? (endpoint === undefined ? undefined : "us-east-1"),
    endpoint,
    credentials: merged.credentials,
    maxAttempts: merged.maxAttempts ?? 5,
    leaseMs: merged.leaseMs ?? 30_000,
    create: merged.create ?? false,
    pollers: merged.pollers ?? 2,
    waitTimeSeconds: merged.waitTimeSeconds ?? 20,
    maxMessageBytes,
    offloadBucket,
    offloadThresholdBytes: merged.offloadThresholdBytes ?? Math.min(262_144, maxMessageBytes),
    offloadKeyPrefix: merged.offloadKeyPrefix ?? "",
    keepOffloadedPayloads: merged.keepOffloadedPayloads ?? false,
    maxPayloadBytes: merged.maxPayloadBytes ?? payloadCap,
    maxMetadataEntries: MAX_SQS_ATTRIBUTES - 1 - (offloadBucket ? 1 : 0),
    fifoGroupId: merged.fifoGroupId ?? "default",
    s3Endpoint,
    s3ForcePathStyle: merged.s3ForcePathStyle ?? s3Endpoint !== undefined,
    sqsClient: merged.sqsClient,
    s3Client: merged.s3Client,
    logger: merged.logger ?? silentLogger,
  };
  problems.push(...validateSqsOptions(resolved, payloadCap));
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid SQS transport options: ${problems.join("; ")}`);
  }
  return resolved;
}

/** `<queue>-dead`, or `<name>-dead.fifo` for a FIFO queue `<name>.fifo`. */
export function defaultDeadLetterQueue(queue: string): string {
  return queue.endsWith(FIFO_SUFFIX) ? `${queue.slice(0, -FIFO_SUFFIX.length)}-dead${FIFO_SUFFIX}` : `${queue}-dead`;
}

/** Every problem with resolved options, as readable sentences (empty when they are valid). */
export function validateSqsOptions(options: ResolvedSqsOptions, payloadCap: number): string[] {
  const problems: string[] = [];
  const integer = (name: string, value: number, min: number, max: number): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not ${String(value)}`);
    }
  };
  checkQueueName("queue", options.queue, problems);
  checkQueueName("deadLetterQueue", options.deadLetterQueue, problems);
  if (options.queue !== "" && options.deadLetterQueue.endsWith(FIFO_SUFFIX) !== options.fifo) {
    problems.push("deadLetterQueue must be a FIFO queue (.fifo) exactly when the queue is one");
  }
  integer("maxAttempts", options.maxAttempts, 1, 1000);
  integer("leaseMs", options.leaseMs, 1, MAX_VISIBILITY_SECONDS * 1000);
  integer("pollers", options.pollers, 1, 10);
  integer("waitTimeSeconds", options.waitTimeSeconds, 0, 20);
  integer("maxMessageBytes", options.maxMessageBytes, 1024, SQS_MAX_MESSAGE_BYTES);
  integer("offloadThresholdBytes", options.offloadThresholdBytes, 0, options.maxMessageBytes);
  integer("maxPayloadBytes", options.maxPayloadBytes, 0, payloadCap);
  const endpoints = [["endpoint", options.endpoint]];
  if (options.s3Endpoint !== options.endpoint) endpoints.push(["s3Endpoint", options.s3Endpoint]);
  for (const [name, value] of endpoints) {
    if (value !== undefined && !/^https?:\/\/[^/]/.test(value)) problems.push(`${name} must be an http(s) URL`);
  }
  const bucket = options.offloadBucket;
  if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    problems.push(`offloadBucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
  }
  if (options.fifoGroupId === "" || options.fifoGroupId.length > 128) {
    problems.push("fifoGroupId must be 1 to 128 characters");
  }
  return problems;
}

/** A queue named by name or URL. */
interface QueueLocation {
  readonly name: string;
  readonly url: string | undefined;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
}

function locateQueue(queue: string | undefined, problems: string[]): QueueLocation {
  if (queue === undefined || queue === "") {
    problems.push("queue is missing (set `queue`, or `url` as sqs://<queue>)");
    return { name: "", url: undefined };
  }
  if (!/^https?:\/\//.test(queue)) return { name: queue, url: undefined };
  const url = new URL(queue);
  const name = decodeURIComponent(url.pathname.split("/").pop() ?? "");
  const region = AWS_SQS_HOST.exec(url.hostname)?.[1];
  return { name, url: queue, region, endpoint: region === undefined ? url.origin : undefined };
}

function checkQueueName(field: string, name: string, problems: string[]): void {
  if (name === "") return;
  const base = name.endsWith(FIFO_SUFFIX) ? name.slice(0, -FIFO_SUFFIX.length) : name;
  if (!QUEUE_NAME.test(base) || name.length > 80) {
    problems.push(`${field} ${JSON.stringify(name)} must be 1 to 80 letters, digits, - or _ (plus .fifo for FIFO)`);
  }
}
