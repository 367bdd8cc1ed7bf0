/**
 * The DynamoDB store's scaler events (layout and why in dynamodb-scaler-event-items.ts): a fenced record is a
 * conditional UpdateItem of the lease item (`holder` and `token` as the event says) that keeps the event there,
 * then a copy to the event's own item and its removal from the lease item. Reads are strongly consistent Queries
 * of the events' item collection, merged with the lease item's pending events when a lease is named.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { StatusStoreError } from "../../errors.ts";
import type { CheckedScalerEventQuery } from "../status-checks.ts";
import type { ScalerEvent } from "../status-store.ts";
import { ExpressionParts } from "./dynamodb-expressions.ts";
import { ATTR, leaseKey, n, s, type Item } from "./dynamodb-items.ts";
import { timeBound } from "./dynamodb-queries.ts";
import {
  EVENT_ATTR,
  PENDING_PREFIX,
  pendingEvents,
  SCALER_EVENTS_PARTITION,
  scalerEventAttributes,
  scalerEventFromAttributes,
  scalerEventKey,
} from "./dynamodb-scaler-event-items.ts";
import { eachLimited, MAX_PARALLEL_WRITES, type DynamoDbTable } from "./dynamodb-table.ts";

/** Items a filtered Query reads per page at least (it drops part of what it reads). */
const FILTERED_READ_STEP = 200;

/** Scaler events in one store's table. */
export class DynamoDbScalerEvents {
  readonly #table: DynamoDbTable;

  constructor(table: DynamoDbTable) {
    this.#table = table;
  }

  /** Records a checked event if the fence holds; returns whether it held. */
  async record(event: ScalerEvent): Promise<boolean> {
    const parts = new ExpressionParts();
    const pending = pendingName(parts, event.id);
    const condition =
      `${parts.name(ATTR.holder)} = ${parts.value(s(event.scalerId))} AND ` +
      `${parts.name(ATTR.token)} = ${parts.value(n(event.fencingToken))}`;
    const outcome = await this.#table.conditional(`recording scaler event ${event.id}`, (client) =>
      client.send(
        new UpdateItemCommand({
          TableName: this.#table.name,
          Key: leaseKey(event.lease),
          ...parts.write(condition, `SET ${pending} = ${parts.value({ M: scalerEventAttributes(event) })}`),
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    if (!("output" in outcome)) return false;
    // Recorded. Copy out this event and any a writer that stopped half-way left behind.
    const events = pendingEvents(outcome.output.Attributes);
    await eachLimited(events, MAX_PARALLEL_WRITES, (pendingEvent) => this.#copyOut(pendingEvent));
    return true;
  }

  /** The events matching a checked query, newest id first. */
  async list(query: CheckedScalerEventQuery): Promise<ScalerEvent[]> {
    if (query.kinds?.length === 0) return [];
    // The lease item first: an event copied out after this read is already in its own item when the Query runs.
    const pending =
      query.lease === undefined ? [] : pendingEvents(await this.#getItem("reading a lease", leaseKey(query.lease)));
    const found: ScalerEvent[] = [];
    const { input, filtered } = listInput(query);
    let startKey: Item | undefined;
    do {
      const wanted = query.limit - found.length;
      const page = await this.#table.run("listing scaler events", (client) =>
        client.send(
          new QueryCommand({
            ...input,
            TableName: this.#table.name,
            Limit: filtered ? Math.max(wanted, FILTERED_READ_STEP) : wanted,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        ),
      );
      found.push(...(page.Items ?? []).map(scalerEventFromAttributes));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && found.length < query.limit);
    const byId = new Map<string, ScalerEvent>();
    for (const event of [...pending.filter((event) => matches(event, query)), ...found]) byId.set(event.id, event);
    return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, query.limit);
  }

  /** Deletes the events whose `at` is before `before`; returns how many went. */
  async scrub(before: number): Promise<number> {
    if (typeof before !== "number" || Number.isNaN(before)) {
      throw new StatusStoreError("STORE_INVALID_QUERY", "scrub: scalerEventsBefore must be a time in ms");
    }
    const parts = new ExpressionParts();
    const old = `${parts.name(EVENT_ATTR.at)} < ${parts.value(n(timeBound(before) ?? 0))}`;
    const query = {
      KeyConditionExpression: `${parts.name(ATTR.pk)} = ${parts.value(s(SCALER_EVENTS_PARTITION))}`,
      FilterExpression: old,
      ProjectionExpression: `${parts.name(ATTR.pk)}, ${parts.name(ATTR.sk)}`,
      ExpressionAttributeNames: parts.names,
      ExpressionAttributeValues: parts.values,
    };
    const deleteCondition = new ExpressionParts();
    const write = deleteCondition.write(
      `${deleteCondition.name(EVENT_ATTR.at)} < ${deleteCondition.value(n(timeBound(before) ?? 0))}`,
    );
    let removed = 0;
    for await (const page of this.#table.query("finding old scaler events", query)) {
      await eachLimited(page.Items ?? [], MAX_PARALLEL_WRITES, async (item) => {
        const outcome = await this.#table.conditional("scrubbing scaler events", (client) =>
          client.send(new DeleteItemCommand({ TableName: this.#table.name, Key: keyOf(item), ...write })),
        );
        if ("output" in outcome) removed += 1;
      });
    }
    return removed;
  }

  /** Copies a pending event to its own item (keeping one already there) and removes it from the lease item. */
  async #copyOut(event: ScalerEvent): Promise<void> {
    const create = new ExpressionParts();
    await this.#table.conditional(`copying scaler event ${event.id}`, (client) =>
      client.send(
        new PutItemCommand({
          TableName: this.#table.name,
          Item: { ...scalerEventKey(event.id), ...scalerEventAttributes(event) },
          ...create.write(`attribute_not_exists(${create.name(ATTR.pk)})`),
        }),
      ),
    );
    const remove = new ExpressionParts();
    const pending = pendingName(remove, event.id);
    // Only on the lease item as it is (an UpdateItem would otherwise create an item).
    await this.#table.conditional(`copying scaler event ${event.id}`, (client) =>
      client.send(
        new UpdateItemCommand({
          TableName: this.#table.name,
          Key: leaseKey(event.lease),
          ...remove.write(`attribute_exists(${remove.name(ATTR.pk)})`, `REMOVE ${pending}`),
        }),
      ),
    );
  }

  async #getItem(doing: string, key: Item): Promise<Item | undefined> {
    const output = await this.#table.run(doing, (client) =>
      client.send(new GetItemCommand({ TableName: this.#table.name, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }
}

/** The Query of a listing: the events' collection, newest id first, filtered by lease and kinds. */
function listInput(query: CheckedScalerEventQuery): {
  readonly input: Omit<QueryCommandInput, "TableName">;
  readonly filtered: boolean;
} {
  const parts = new ExpressionParts();
  let keyCondition = `${parts.name(ATTR.pk)} = ${parts.value(s(SCALER_EVENTS_PARTITION))}`;
  if (query.before !== undefined) keyCondition += ` AND ${parts.name(ATTR.sk)} < ${parts.value(s(query.before))}`;
  const filters: string[] = [];
  if (query.lease !== undefined) filters.push(`${parts.name(EVENT_ATTR.lease)} = ${parts.value(s(query.lease))}`);
  if (query.kinds !== undefined) {
    const kinds = [...new Set(query.kinds)].map((kind) => parts.value(s(kind)));
    filters.push(`${parts.name(EVENT_ATTR.kind)} IN (${kinds.join(", ")})`);
  }
  return {
    input: {
      KeyConditionExpression: keyCondition,
      ...(filters.length === 0 ? {} : { FilterExpression: filters.join(" AND ") }),
      ExpressionAttributeNames: parts.names,
      ExpressionAttributeValues: parts.values,
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    filtered: filters.length > 0,
  };
}

function matches(event: ScalerEvent, query: CheckedScalerEventQuery): boolean {
  return (
    (query.lease === undefined || event.lease === query.lease) &&
    (query.kinds === undefined || query.kinds.includes(event.kind)) &&
    (query.before === undefined || event.id < query.before)
  );
}

/** The placeholder of a pending event's attribute (its name holds the id: any text, so not a placeholder itself). */
function pendingName(parts: ExpressionParts, id: string): string {
  parts.names["#pending"] = `${PENDING_PREFIX}${id}`;
  return "#pending";
}

function keyOf(item: Item): Item {
  return { [ATTR.pk]: item[ATTR.pk] ?? s(""), [ATTR.sk]: item[ATTR.sk] ?? s("") };
}
