/**
 * The DynamoDB status store (`dynamodb://<table>?region=…`): jobs, workers and leases in one table (see
 * dynamodb-items.ts and dynamodb-schema.ts). Every write is one conditional request that DynamoDB applies
 * atomically (see dynamodb-expressions.ts); nothing is read in the client and written back. Reads of one record
 * are strongly consistent; listings and counts read global secondary indexes, which DynamoDB keeps eventually
 * consistent (a write shows there typically within a second).
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { FINAL_STATES, JOB_STATES } from "../job-state.ts";
import type { OpenStatusStoreOptions, StatusStoreOpener } from "../open-status-store.ts";
import { checkedQuery, pageOf } from "../query-page.ts";
import {
  checkClaim,
  checkedScalerEventQuery,
  checkMove,
  checkNewJob,
  checkProgress,
  checkScalerEvent,
  checkWorker,
} from "../status-checks.ts";
import type {
  JobCounts,
  JobPage,
  JobQuery,
  JobRecord,
  JobTransition,
  Lease,
  LeaseClaim,
  NewJob,
  ProgressUpdate,
  ScalerEvent,
  ScalerEventQuery,
  ScrubOptions,
  ScrubResult,
  StatusStore,
  TransitionOutcome,
  WorkerRecord,
} from "../status-store.ts";
import {
  createOnlyWrite,
  progressWrite,
  releaseLeaseWrite,
  renewLeaseWrite,
  scrubJobWrite,
  scrubWorkerWrite,
  takeLeaseWrite,
  transitionWrite,
  type ConditionalWrite,
} from "./dynamodb-expressions.ts";
import {
  ATTR,
  checkKeys,
  fitsKey,
  jobFromItem,
  jobKey,
  leaseFromItem,
  leaseKey,
  queuedJobItem,
  s,
  workerFromItem,
  workerItem,
  type Item,
} from "./dynamodb-items.ts";
import { countPlan, listPlan, scrubPlan, startKeyAfter, timeBound, workersQuery } from "./dynamodb-queries.ts";
import { DynamoDbScalerEvents } from "./dynamodb-scaler-events.ts";
import { checkTableLayout, describeTable, ensureDynamoDbStatusTable } from "./dynamodb-schema.ts";
import { dynamoDbSettingsFromUrl, parseUrl } from "./dynamodb-settings.ts";
import { createClient, DynamoDbTable, eachLimited, MAX_PARALLEL_WRITES } from "./dynamodb-table.ts";

/** Options of {@link DynamoDbStatusStore.open} that do not fit in a URL. */
export interface DynamoDbStatusStoreOptions extends OpenStatusStoreOptions {
  /**
   * A client to use instead of one built from the URL's region, endpoint, maxAttempts and timeoutMs (custom
   * credentials, tests). The store never destroys a client it was given. @defaultValue a client of its own
   */
  readonly client?: DynamoDBClient;
}

/** Page size of the Queries behind a filtered listing, which drop part of what they read. */
const FILTERED_READ_STEP = 200;

/** A {@link StatusStore} on DynamoDB (`dynamodb://<table>` URLs). */
export class DynamoDbStatusStore implements StatusStore {
  /** The store family. */
  readonly kind = "dynamodb";
  readonly #table: DynamoDbTable;
  readonly #ownsClient: boolean;
  readonly #scalerEvents: DynamoDbScalerEvents;

  private constructor(table: DynamoDbTable, ownsClient: boolean) {
    this.#table = table;
    this.#ownsClient = ownsClient;
    this.#scalerEvents = new DynamoDbScalerEvents(table);
  }

  /**
   * Checks the table (creating it and its indexes first with `create=true`) and returns the store. Rejects with
   * ConfigError for a bad URL and StatusStoreError (`STORE_UNAVAILABLE` when DynamoDB cannot be reached,
   * `STORE_FAILED` for a missing or different table).
   */
  static async open(url: string | URL, options: DynamoDbStatusStoreOptions = {}): Promise<DynamoDbStatusStore> {
    const settings = dynamoDbSettingsFromUrl(typeof url === "string" ? parseUrl(url) : url);
    const client = options.client ?? createClient(settings);
    const table = new DynamoDbTable(client, settings.table);
    try {
      await table.run(`opening table ${settings.table}`, async (sdk) => {
        if (settings.create) await ensureDynamoDbStatusTable(sdk, settings.table);
        else checkTableLayout(settings.table, await describeTable(sdk, settings.table));
      });
    } catch (error) {
      if (options.client === undefined) client.destroy();
      throw error;
    }
    return new DynamoDbStatusStore(table, options.client === undefined);
  }

  async enqueued(jobs: readonly NewJob[]): Promise<number> {
    this.#table.checkOpen();
    for (const job of jobs) {
      checkNewJob(job);
      checkKeys(`job ${job.id}`, { id: job.id, service: job.service });
    }
    // BatchWriteItem cannot be conditional and a transaction fails whole when one job exists: parallel
    // conditional puts, each creating its job only where there is no record.
    let created = 0;
    await eachLimited(jobs, MAX_PARALLEL_WRITES, async (job) => {
      const outcome = await this.#table.conditional(`recording ${job.id} queued`, (client) =>
        client.send(
          new PutItemCommand({ TableName: this.#table.name, Item: queuedJobItem(job), ...createOnlyWrite() }),
        ),
      );
      if ("output" in outcome) created += 1;
    });
    return created;
  }

  async transition(move: JobTransition): Promise<TransitionOutcome> {
    this.#table.checkOpen();
    checkMove(move);
    checkKeys(`move of job ${move.id}`, { id: move.id, ...(move.create ? { service: move.create.service } : {}) });
    const outcome = await this.#table.conditional(`moving ${move.id} to ${move.to}`, (client) =>
      client.send(
        new UpdateItemCommand({
          ...this.#update(jobKey(move.id), transitionWrite(move)),
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      ),
    );
    if ("output" in outcome) return { applied: true, record: jobFromItem(outcome.output.Attributes ?? {}) };
    // DynamoDB returns the item that refused the write; emulators that do not (dynalite) get one strongly
    // consistent read, which may already show a later write (as a read after the refusal would).
    const item = outcome.refused.item;
    return { applied: false, record: item === undefined ? await this.get(move.id) : jobFromItem(item) };
  }

  async progress(update: ProgressUpdate): Promise<boolean> {
    this.#table.checkOpen();
    checkProgress(update);
    checkKeys(`progress of job ${update.id}`, { id: update.id });
    const outcome = await this.#table.conditional(`recording progress of ${update.id}`, (client) =>
      client.send(new UpdateItemCommand(this.#update(jobKey(update.id), progressWrite(update)))),
    );
    return "output" in outcome;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    this.#table.checkOpen();
    if (typeof id !== "string" || id === "" || !fitsKey(id)) return undefined;
    const item = await this.#getItem(`reading ${id}`, jobKey(id));
    return item === undefined ? undefined : jobFromItem(item);
  }

  async list(query: JobQuery = {}): Promise<JobPage> {
    this.#table.checkOpen();
    const { limit, after } = checkedQuery(query);
    const plan = listPlan(query);
    const rows: JobRecord[] = [];
    let startKey = after === undefined ? undefined : startKeyAfter(plan, after);
    // Reads until one job past the page is known (or the index ends); the cursor is the last job's id.
    while (rows.length <= limit) {
      const wanted = limit + 1 - rows.length;
      const input = {
        ...plan.query,
        TableName: this.#table.name,
        Limit: plan.filtered ? Math.max(wanted, FILTERED_READ_STEP) : wanted,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      };
      const page = await this.#table.run("listing jobs", (client) => client.send(new QueryCommand(input)));
      rows.push(...(page.Items ?? []).map(jobFromItem));
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    return pageOf(rows.slice(0, limit + 1), limit);
  }

  async counts(filter: Pick<JobQuery, "service" | "method"> = {}): Promise<JobCounts> {
    this.#table.checkOpen();
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobRecord["state"], number>;
    const plan = countPlan(filter, JOB_STATES);
    if (plan.kind === "tally") {
      for await (const page of this.#table.query("counting jobs", plan.query)) {
        for (const item of page.Items ?? []) {
          const state = item[ATTR.state]?.S;
          if (state !== undefined && Object.hasOwn(counts, state)) counts[state as JobRecord["state"]] += 1;
        }
      }
      return counts;
    }
    await Promise.all(
      [...plan.queries].map(async ([state, query]) => {
        for await (const page of this.#table.query(`counting ${state} jobs`, query)) counts[state] += page.Count ?? 0;
      }),
    );
    return counts;
  }

  async heartbeat(worker: WorkerRecord): Promise<void> {
    this.#table.checkOpen();
    checkWorker(worker);
    checkKeys(`heartbeat of worker ${worker.workerId}`, { workerId: worker.workerId });
    await this.#table.run(`recording the heartbeat of ${worker.workerId}`, (client) =>
      client.send(new PutItemCommand({ TableName: this.#table.name, Item: workerItem(worker) })),
    );
  }

  async workers(): Promise<readonly WorkerRecord[]> {
    this.#table.checkOpen();
    const workers: WorkerRecord[] = [];
    for await (const page of this.#table.query("listing workers", workersQuery())) {
      workers.push(...(page.Items ?? []).map(workerFromItem));
    }
    return workers.sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.workerId < b.workerId ? -1 : 1));
  }

  async acquireLease(claim: LeaseClaim): Promise<Lease | undefined> {
    this.#table.checkOpen();
    checkClaim(claim);
    checkKeys(`lease claim on ${claim.name}`, { lease: claim.name });
    // Renewing keeps the token and taking a free or lapsed lease increments it: two conditional updates, each
    // atomic, tried in that order (a holder renewing in time needs one round trip).
    for (const write of [renewLeaseWrite(claim), takeLeaseWrite(claim)]) {
      const outcome = await this.#table.conditional(`acquiring lease ${claim.name}`, (client) =>
        client.send(new UpdateItemCommand({ ...this.#update(leaseKey(claim.name), write), ReturnValues: "ALL_NEW" })),
      );
      if ("output" in outcome) return leaseFromItem(outcome.output.Attributes ?? {});
    }
    return undefined;
  }

  async releaseLease(name: string, holder: string, token: number): Promise<boolean> {
    this.#table.checkOpen();
    if (typeof name !== "string" || typeof holder !== "string" || !Number.isSafeInteger(token)) return false;
    if (!fitsKey(name)) return false;
    const outcome = await this.#table.conditional(`releasing lease ${name}`, (client) =>
      client.send(new UpdateItemCommand(this.#update(leaseKey(name), releaseLeaseWrite(holder, token)))),
    );
    return "output" in outcome;
  }

  async lease(name: string): Promise<Lease | undefined> {
    this.#table.checkOpen();
    if (typeof name !== "string" || !fitsKey(name)) return undefined;
    const item = await this.#getItem(`reading lease ${name}`, leaseKey(name));
    return item === undefined ? undefined : leaseFromItem(item);
  }

  async recordScalerEvent(event: ScalerEvent): Promise<boolean> {
    this.#table.checkOpen();
    checkScalerEvent(event);
    return this.#scalerEvents.record(event);
  }

  async scalerEvents(query?: ScalerEventQuery): Promise<readonly ScalerEvent[]> {
    this.#table.checkOpen();
    return this.#scalerEvents.list(checkedScalerEventQuery(query));
  }

  async scrub(options: ScrubOptions): Promise<ScrubResult> {
    this.#table.checkOpen();
    const scalerEventsBefore = options.scalerEventsBefore;
    const scalerEvents = scalerEventsBefore === undefined ? 0 : await this.#scalerEvents.scrub(scalerEventsBefore);
    const jobsBefore = timeBound(options.jobsFinishedBefore);
    const workersBefore = timeBound(options.workersSeenBefore);
    let jobs = 0;
    let workers = 0;
    if (jobsBefore !== undefined) {
      for (const state of FINAL_STATES) {
        for await (const page of this.#table.query(`finding old ${state} jobs`, scrubPlan(state, jobsBefore))) {
          jobs += await this.#deleteAll(page.Items ?? [], scrubJobWrite(state, jobsBefore));
        }
      }
    }
    if (workersBefore !== undefined) {
      for await (const page of this.#table.query("finding old workers", workersQuery(workersBefore))) {
        workers += await this.#deleteAll(page.Items ?? [], scrubWorkerWrite(workersBefore));
      }
    }
    return { jobs, workers, scalerEvents };
  }

  /** Refuses further calls and, if the store built its client, destroys it; idempotent. */
  close(): Promise<void> {
    if (!this.#table.closed) {
      this.#table.close();
      if (this.#ownsClient) this.#table.client.destroy();
    }
    return Promise.resolve();
  }

  #update(key: Item, write: ConditionalWrite): ConditionalWrite & { TableName: string; Key: Item } {
    return { TableName: this.#table.name, Key: key, ...write };
  }

  async #getItem(doing: string, key: Item): Promise<Item | undefined> {
    const output = await this.#table.run(doing, (client) =>
      client.send(new GetItemCommand({ TableName: this.#table.name, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }

  /** Deletes each item (by its key) whose condition still holds; returns how many went. */
  async #deleteAll(items: readonly Item[], write: ConditionalWrite): Promise<number> {
    let deleted = 0;
    await eachLimited(items, MAX_PARALLEL_WRITES, async (item) => {
      const key = { [ATTR.pk]: item[ATTR.pk] ?? s(""), [ATTR.sk]: item[ATTR.sk] ?? s("") };
      const outcome = await this.#table.conditional("scrubbing", (client) =>
        client.send(new DeleteItemCommand({ TableName: this.#table.name, Key: key, ...write })),
      );
      if ("output" in outcome) deleted += 1;
    });
    return deleted;
  }
}

/** The opener `openStatusStore` uses for `dynamodb:` URLs. */
export const openDynamoDbStatusStore: StatusStoreOpener = (url, options) => DynamoDbStatusStore.open(url, options);
