/**
 * Which index answers a listing or a count, and the Queries of scrub and `workers()`, as data (pure functions).
 * Every listing is a Query on one index, id descending, never a Scan: by state when the query names one, else by
 * service, else the index of every job; the other filters (method, since, and service under a state) are a
 * FilterExpression on that Query.
 *
 * The cursor is the id of a page's last job (the shared `encodeCursor`); the next page's ExclusiveStartKey is
 * rebuilt from it, since an index's key is its partition value, the id and the table key `job#<id>`/`job`. So the
 * cursor stays short and opaque, is checked like every store's, and works on whatever index the same query uses.
 */
import type { QueryCommandInput } from "@aws-sdk/client-dynamodb";
import { StatusStoreError } from "../../errors.ts";
import type { JobState } from "../job-state.ts";
import type { JobQuery } from "../status-store.ts";
import { ExpressionParts } from "./dynamodb-expressions.ts";
import {
  ALL_JOBS,
  ATTR,
  jobKey,
  MAX_SORT_KEY_BYTES,
  n,
  s,
  serviceKey,
  WORKERS_PARTITION,
  type Item,
} from "./dynamodb-items.ts";
import { INDEXES, type JobIndex } from "./dynamodb-schema.ts";

/** A Query on one job index, without table, start key and limit. */
export type IndexQuery = Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey" | "Limit">;

/** How one listing is read. */
export interface ListPlan {
  readonly index: JobIndex;
  /** The value of the index's partition key. */
  readonly partition: string;
  readonly query: IndexQuery;
  /** Whether a FilterExpression drops some of what the Query reads (then pages are read in larger steps). */
  readonly filtered: boolean;
}

/** The Query of a listing: the most selective index its filters allow, newest id first. */
export function listPlan(query: Pick<JobQuery, "state" | "service" | "method" | "since">): ListPlan {
  const [index, partition] =
    query.state !== undefined
      ? [INDEXES.state, query.state]
      : query.service !== undefined
        ? [INDEXES.service, serviceKey(query.service)]
        : [INDEXES.all, ALL_JOBS];
  const parts = new ExpressionParts();
  const filters: string[] = [];
  if (query.state !== undefined && query.service !== undefined) {
    filters.push(`${parts.name(ATTR.service)} = ${parts.value(s(query.service))}`);
  }
  if (query.method !== undefined) filters.push(`${parts.name(ATTR.method)} = ${parts.value(s(query.method))}`);
  if (query.since !== undefined) filters.push(`${parts.name(ATTR.updatedAt)} >= ${parts.value(n(query.since))}`);
  const keyCondition = `${parts.name(index.partition)} = ${parts.value(s(partition))}`;
  return {
    index,
    partition,
    filtered: filters.length > 0,
    query: {
      IndexName: index.name,
      KeyConditionExpression: keyCondition,
      ...(filters.length === 0 ? {} : { FilterExpression: filters.join(" AND ") }),
      ExpressionAttributeNames: parts.names,
      ExpressionAttributeValues: parts.values,
      ScanIndexForward: false,
    },
  };
}

/** The ExclusiveStartKey that continues a listing after job `id` (the cursor's id). */
export function startKeyAfter(plan: ListPlan, id: string): Item {
  // Ids longer than any stored one, or empty, cannot be a key: such a cursor was not made by this store.
  if (id === "" || Buffer.byteLength(id, "utf8") > MAX_SORT_KEY_BYTES) {
    throw new StatusStoreError("STORE_INVALID_QUERY", "invalid cursor");
  }
  return { ...jobKey(id), [plan.index.partition]: s(plan.partition), [ATTR.id]: s(id) };
}

/** How the counts of a filter are read. */
export type CountPlan =
  /** One `Select: COUNT` Query per state on the by-state index (filtered by method when asked). */
  | { readonly kind: "per-state"; readonly queries: ReadonlyMap<JobState, IndexQuery> }
  /** One Query over a service's jobs on the by-service index, reading only `state`, tallied in the client. */
  | { readonly kind: "tally"; readonly query: IndexQuery };

/** The reads behind `counts(filter)`. */
export function countPlan(filter: Pick<JobQuery, "service" | "method">, states: readonly JobState[]): CountPlan {
  if (filter.service !== undefined) {
    const plan = listPlan({
      service: filter.service,
      ...(filter.method === undefined ? {} : { method: filter.method }),
    });
    const parts = plan.query.ExpressionAttributeNames ?? {};
    return {
      kind: "tally",
      query: {
        ...plan.query,
        ExpressionAttributeNames: { ...parts, "#state": ATTR.state },
        ProjectionExpression: "#state",
      },
    };
  }
  const queries = new Map<JobState, IndexQuery>();
  for (const state of states) {
    const plan = listPlan({ state, ...(filter.method === undefined ? {} : { method: filter.method }) });
    queries.set(state, { ...plan.query, Select: "COUNT" });
  }
  return { kind: "per-state", queries };
}

/** The Query a scrub runs per final state: old jobs' keys only. */
export function scrubPlan(state: JobState, before: number): IndexQuery {
  const parts = new ExpressionParts();
  return {
    IndexName: INDEXES.state.name,
    KeyConditionExpression: `${parts.name(ATTR.state)} = ${parts.value(s(state))}`,
    FilterExpression: `${parts.name(ATTR.updatedAt)} < ${parts.value(n(before))}`,
    ProjectionExpression: `${parts.name(ATTR.pk)}, ${parts.name(ATTR.sk)}`,
    ExpressionAttributeNames: parts.names,
    ExpressionAttributeValues: parts.values,
  };
}

/** The Query of every worker item (strongly consistent: it reads the table), optionally only those seen before. */
export function workersQuery(seenBefore?: number): IndexQuery {
  const names: Record<string, string> = { "#pk": ATTR.pk };
  const values: Item = { ":workers": s(WORKERS_PARTITION) };
  if (seenBefore !== undefined) {
    names["#lastSeenAt"] = ATTR.lastSeenAt;
    values[":before"] = n(seenBefore);
  }
  return {
    KeyConditionExpression: "#pk = :workers",
    ...(seenBefore === undefined ? {} : { FilterExpression: "#lastSeenAt < :before" }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConsistentRead: true,
  };
}

/** A scrub's time bound as a number DynamoDB takes: NaN matches nothing (undefined), infinities are clamped. */
export function timeBound(time: number): number | undefined {
  if (typeof time !== "number" || Number.isNaN(time)) return undefined;
  return Math.min(Math.max(time, Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}
