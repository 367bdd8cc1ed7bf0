/**
 * How jobs, workers and leases are laid out as items of the one table, and the marshalling both ways (plain
 * functions over the SDK's AttributeValue, no marshalling library).
 *
 *   job     pk = "job#<id>"      sk = "job"         in the indexes through `allJobs`, `state` and `serviceKey`
 *   worker  pk = "workers"       sk = <workerId>    one item collection, so listing workers is one Query
 *   lease   pk = "lease#<name>"  sk = "lease"
 *
 * Optional job fields that a creating transition fills in only when absent (`queue`, `enqueuedAt`) are stored as
 * DynamoDB NULL when unknown, so that `if_not_exists` never fills them into a record that exists. Items read back
 * are checked field by field; anything unexpected is `STORE_INVALID_RECORD`, never a crash.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { StatusStoreError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../job-state.ts";
import type { JobRecord, Lease, NewJob, WorkerRecord, WorkerStatus } from "../status-store.ts";

/** An item as the SDK's low-level client reads and writes it. */
export type Item = Record<string, AttributeValue>;

/** Attribute names of the items. */
export const ATTR = {
  pk: "pk",
  sk: "sk",
  allJobs: "allJobs",
  serviceKey: "serviceKey",
  id: "id",
  service: "service",
  method: "method",
  state: "state",
  attempt: "attempt",
  progress: "progress",
  progressMessage: "progressMessage",
  workerId: "workerId",
  queue: "queue",
  enqueuedAt: "enqueuedAt",
  startedAt: "startedAt",
  updatedAt: "updatedAt",
  finishedAt: "finishedAt",
  errorType: "errorType",
  errorMessage: "errorMessage",
  result: "result",
  instanceId: "instanceId",
  host: "host",
  pid: "pid",
  status: "status",
  queues: "queues",
  lastSeenAt: "lastSeenAt",
  inFlight: "inFlight",
  processed: "processed",
  failed: "failed",
  name: "name",
  holder: "holder",
  token: "token",
  expiresAt: "expiresAt",
} as const;

/** The sort key of job items. */
export const JOB_SORT_KEY = "job";
/** The sort key of lease items. */
export const LEASE_SORT_KEY = "lease";
/** The partition key of every worker item. */
export const WORKERS_PARTITION = "workers";
/** The one value of `allJobs`: the partition of the index that lists every job. */
export const ALL_JOBS = "jobs";

/** DynamoDB's limit on a sort key (job ids are the indexes' sort key, worker ids the table's), in bytes. */
export const MAX_SORT_KEY_BYTES = 1024;

const WORKER_STATUSES: ReadonlySet<string> = new Set<WorkerStatus>(["running", "draining", "stopped"]);

/** Values that become part of a key, by what they are. */
export interface KeyValues {
  readonly id?: string;
  readonly service?: string;
  readonly workerId?: string;
  readonly lease?: string;
}

/** Whether `text` fits in a key: at most {@link MAX_SORT_KEY_BYTES} bytes of UTF-8. */
export function fitsKey(text: string): boolean {
  return text.length <= MAX_SORT_KEY_BYTES && Buffer.byteLength(text, "utf8") <= MAX_SORT_KEY_BYTES;
}

/**
 * Throws `STORE_INVALID_RECORD` for a value DynamoDB cannot key on: longer than {@link MAX_SORT_KEY_BYTES} bytes,
 * or an empty job or worker id (ids are sort keys, which must not be empty).
 */
export function checkKeys(what: string, values: KeyValues): void {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values) as Array<[string, string | undefined]>) {
    if (typeof value !== "string") continue;
    if (!fitsKey(value)) problems.push(`${name} is longer than ${MAX_SORT_KEY_BYTES} bytes`);
    if (value === "" && (name === "id" || name === "workerId")) problems.push(`${name} must not be empty`);
  }
  if (problems.length > 0)
    throw new StatusStoreError("STORE_INVALID_RECORD", `invalid ${what}: ${problems.join("; ")}`);
}

/** A string attribute. */
export function s(value: string): AttributeValue {
  return { S: value };
}

/** A number attribute (finite numbers only; callers check first). */
export function n(value: number): AttributeValue {
  return { N: String(value) };
}

/** A string attribute, or NULL when undefined. */
export function sOrNull(value: string | undefined): AttributeValue {
  return value === undefined ? { NULL: true } : { S: value };
}

/** A number attribute, or NULL when undefined. */
export function nOrNull(value: number | undefined): AttributeValue {
  return value === undefined ? { NULL: true } : { N: String(value) };
}

/** The key of a job's item. */
export function jobKey(id: string): Item {
  return { [ATTR.pk]: s(`job#${id}`), [ATTR.sk]: s(JOB_SORT_KEY) };
}

/** The key of a worker's item. */
export function workerKey(workerId: string): Item {
  return { [ATTR.pk]: s(WORKERS_PARTITION), [ATTR.sk]: s(workerId) };
}

/** The key of a lease's item. */
export function leaseKey(name: string): Item {
  return { [ATTR.pk]: s(`lease#${name}`), [ATTR.sk]: s(LEASE_SORT_KEY) };
}

/** The partition of the by-service index for a service (never empty, as index keys must not be). */
export function serviceKey(service: string): string {
  return `s#${service}`;
}

/** The item of a job a producer records as `queued`. */
export function queuedJobItem(job: NewJob): Item {
  return {
    ...jobKey(job.id),
    [ATTR.allJobs]: s(ALL_JOBS),
    [ATTR.serviceKey]: s(serviceKey(job.service)),
    [ATTR.id]: s(job.id),
    [ATTR.service]: s(job.service),
    [ATTR.method]: s(job.method),
    [ATTR.state]: s("queued"),
    [ATTR.attempt]: n(0),
    [ATTR.queue]: sOrNull(job.queue),
    [ATTR.enqueuedAt]: n(job.enqueuedAt),
    [ATTR.updatedAt]: n(job.enqueuedAt),
  };
}

/** The item of a worker's heartbeat. */
export function workerItem(worker: WorkerRecord): Item {
  return {
    ...workerKey(worker.workerId),
    [ATTR.workerId]: s(worker.workerId),
    [ATTR.instanceId]: s(worker.instanceId),
    [ATTR.host]: s(worker.host),
    [ATTR.pid]: n(worker.pid),
    [ATTR.status]: s(worker.status),
    [ATTR.queues]: { L: worker.queues.map(s) },
    [ATTR.startedAt]: n(worker.startedAt),
    [ATTR.lastSeenAt]: n(worker.lastSeenAt),
    [ATTR.inFlight]: n(worker.inFlight),
    [ATTR.processed]: n(worker.processed),
    [ATTR.failed]: n(worker.failed),
  };
}

/** A job record from its item; throws `STORE_INVALID_RECORD` for an item this store did not write. */
export function jobFromItem(item: Item): JobRecord {
  const read = new ItemReader(item, "job");
  const state = read.string(ATTR.state);
  if (!(JOB_STATES as readonly string[]).includes(state)) read.fail(`unknown state ${JSON.stringify(state)}`);
  const errorType = read.optionalString(ATTR.errorType);
  const errorMessage = read.optionalString(ATTR.errorMessage);
  return {
    id: read.string(ATTR.id),
    service: read.string(ATTR.service),
    method: read.string(ATTR.method),
    state: state as JobState,
    attempt: read.number(ATTR.attempt),
    progress: read.optionalNumber(ATTR.progress),
    progressMessage: read.optionalString(ATTR.progressMessage),
    workerId: read.optionalString(ATTR.workerId),
    queue: read.optionalString(ATTR.queue),
    enqueuedAt: read.optionalNumber(ATTR.enqueuedAt),
    startedAt: read.optionalNumber(ATTR.startedAt),
    updatedAt: read.number(ATTR.updatedAt),
    finishedAt: read.optionalNumber(ATTR.finishedAt),
    error: errorType === undefined ? undefined : { type: errorType, message: errorMessage ?? "" },
    result: read.optionalBytes(ATTR.result),
  };
}

/** A worker record from its item; throws `STORE_INVALID_RECORD` for an item this store did not write. */
export function workerFromItem(item: Item): WorkerRecord {
  const read = new ItemReader(item, "worker");
  const status = read.string(ATTR.status);
  if (!WORKER_STATUSES.has(status)) read.fail(`unknown status ${JSON.stringify(status)}`);
  return {
    workerId: read.string(ATTR.workerId),
    instanceId: read.string(ATTR.instanceId),
    host: read.string(ATTR.host),
    pid: read.number(ATTR.pid),
    status: status as WorkerStatus,
    queues: read.strings(ATTR.queues),
    startedAt: read.number(ATTR.startedAt),
    lastSeenAt: read.number(ATTR.lastSeenAt),
    inFlight: read.number(ATTR.inFlight),
    processed: read.number(ATTR.processed),
    failed: read.number(ATTR.failed),
  };
}

/** A lease from its item; throws `STORE_INVALID_RECORD` for an item this store did not write. */
export function leaseFromItem(item: Item): Lease {
  const read = new ItemReader(item, "lease");
  return {
    name: read.string(ATTR.name),
    holder: read.string(ATTR.holder),
    token: read.number(ATTR.token),
    expiresAt: read.number(ATTR.expiresAt),
  };
}

/** Reads typed attributes of one item, failing with the item's key in the message. */
class ItemReader {
  private readonly item: Item;
  private readonly kind: string;

  constructor(item: Item, kind: string) {
    this.item = item;
    this.kind = kind;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    return value ?? this.fail(`${name} is missing`);
  }

  optionalString(name: string): string | undefined {
    const value = this.present(name);
    if (value === undefined) return undefined;
    if (typeof value.S !== "string") this.fail(`${name} is not a string`);
    return value.S;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    return value ?? this.fail(`${name} is missing`);
  }

  optionalNumber(name: string): number | undefined {
    const value = this.present(name);
    if (value === undefined) return undefined;
    const parsed = typeof value.N === "string" ? Number(value.N) : Number.NaN;
    if (!Number.isFinite(parsed)) this.fail(`${name} is not a number`);
    return parsed;
  }

  optionalBytes(name: string): Uint8Array | undefined {
    const value = this.present(name);
    if (value === undefined) return undefined;
    if (!(value.B instanceof Uint8Array)) this.fail(`${name} is not binary`);
    return new Uint8Array(value.B);
  }

  strings(name: string): string[] {
    const value = this.present(name);
    const list: unknown = value?.L;
    if (!Array.isArray(list)) return this.fail(`${name} is not a list`);
    return list.map((entry: AttributeValue) =>
      typeof entry.S === "string" ? entry.S : this.fail(`${name} holds a non-string`),
    );
  }

  fail(problem: string): never {
    const key = this.item[ATTR.pk]?.S ?? "?";
    const sort = this.item[ATTR.sk]?.S ?? "?";
    throw new StatusStoreError(
      "STORE_INVALID_RECORD",
      `DynamoDB status store: ${this.kind} item ${key}/${sort}: ${problem}`,
    );
  }

  /** The attribute, or undefined when absent or NULL. */
  private present(name: string): AttributeValue | undefined {
    const value = Object.hasOwn(this.item, name) ? this.item[name] : undefined;
    if (value === undefined || value === null || value.NULL === true) return undefined;
    return value;
  }
}
