/**
 * How scaler events are laid out in the store's table, and the marshalling both ways.
 *
 *   event    pk = "scaler-events"   sk = <id>     one item collection: a Query reads it newest id first
 *   pending  attribute "scalerEvent:<id>" of the lease's item: an event recorded but not yet copied out
 *
 * DynamoDB conditions a write on the item it writes only, and transactions (which could check the lease item
 * while writing the event item) are not available everywhere the store runs (dynalite has none). So the fenced
 * record is a conditional update of the lease item itself (holder and token unchanged) that stores the event in
 * it; the event is then copied to its own item and removed from the lease item. An event is recorded once the
 * first step succeeds; reads by lease include the lease item's pending events, so a writer that stopped between
 * the steps loses nothing, and the next record under that lease copies what it left.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { StatusStoreError } from "../../errors.ts";
import { SCALER_EVENT_KINDS } from "../status-checks.ts";
import type { ScalerEvent, ScalerEventKind } from "../status-store.ts";
import { n, s, type Item } from "./dynamodb-items.ts";

/** The partition of every scaler event item. */
export const SCALER_EVENTS_PARTITION = "scaler-events";
/** The prefix of a pending event's attribute in the lease item. */
export const PENDING_PREFIX = "scalerEvent:";

/** Attribute names of an event's fields (in its item, and in its pending map). */
export const EVENT_ATTR = {
  id: "id",
  lease: "eventLease",
  scalerId: "scalerId",
  fencingToken: "fencingToken",
  kind: "eventKind",
  at: "at",
  reason: "reason",
  desired: "desired",
  instanceIds: "instanceIds",
  memory: "memory",
} as const;

const KINDS: ReadonlySet<string> = new Set(SCALER_EVENT_KINDS);

/** The key of an event's item. */
export function scalerEventKey(id: string): Item {
  return { pk: s(SCALER_EVENTS_PARTITION), sk: s(id) };
}

/** An event's fields as attributes (absent fields absent). */
export function scalerEventAttributes(event: ScalerEvent): Item {
  return {
    [EVENT_ATTR.id]: s(event.id),
    [EVENT_ATTR.lease]: s(event.lease),
    [EVENT_ATTR.scalerId]: s(event.scalerId),
    [EVENT_ATTR.fencingToken]: n(event.fencingToken),
    [EVENT_ATTR.kind]: s(event.kind),
    [EVENT_ATTR.at]: n(event.at),
    [EVENT_ATTR.reason]: s(event.reason),
    ...(event.desired === undefined ? {} : { [EVENT_ATTR.desired]: n(event.desired) }),
    ...(event.instanceIds === undefined ? {} : { [EVENT_ATTR.instanceIds]: { L: event.instanceIds.map(s) } }),
    ...(event.memory === undefined ? {} : { [EVENT_ATTR.memory]: s(event.memory) }),
  };
}

/** The pending events a lease item holds. */
export function pendingEvents(leaseItem: Item | undefined): ScalerEvent[] {
  if (leaseItem === undefined) return [];
  return Object.entries(leaseItem)
    .filter(([name]) => name.startsWith(PENDING_PREFIX))
    .map(([name, value]) => {
      if (value.M === undefined) return invalid(name, "is not a map");
      return scalerEventFromAttributes(value.M);
    });
}

/** An event from its attributes; throws `STORE_INVALID_RECORD` for an item this store did not write. */
export function scalerEventFromAttributes(item: Item): ScalerEvent {
  const id = item[EVENT_ATTR.id]?.S ?? invalid("?", "has no id");
  const read = (name: string): AttributeValue | undefined => (Object.hasOwn(item, name) ? item[name] : undefined);
  const text = (name: string): string => read(name)?.S ?? invalid(id, `has no ${name}`);
  const number = (name: string): number => {
    const parsed = Number(read(name)?.N ?? Number.NaN);
    return Number.isFinite(parsed) ? parsed : invalid(id, `has no number ${name}`);
  };
  const kind = text(EVENT_ATTR.kind);
  if (!KINDS.has(kind)) invalid(id, `has an unknown kind ${JSON.stringify(kind)}`);
  const instanceIds = read(EVENT_ATTR.instanceIds);
  return {
    id,
    lease: text(EVENT_ATTR.lease),
    scalerId: text(EVENT_ATTR.scalerId),
    fencingToken: number(EVENT_ATTR.fencingToken),
    kind: kind as ScalerEventKind,
    at: number(EVENT_ATTR.at),
    reason: text(EVENT_ATTR.reason),
    ...(read(EVENT_ATTR.desired) === undefined ? {} : { desired: number(EVENT_ATTR.desired) }),
    ...(instanceIds === undefined ? {} : { instanceIds: idList(instanceIds, id) }),
    ...(read(EVENT_ATTR.memory) === undefined ? {} : { memory: text(EVENT_ATTR.memory) }),
  };
}

function idList(value: AttributeValue, id: string): string[] {
  const list: unknown = value.L;
  if (!Array.isArray(list)) return invalid(id, "has instance ids that are not a list");
  return list.map((entry: AttributeValue) => entry.S ?? invalid(id, "has an instance id that is not a string"));
}

function invalid(id: string, problem: string): never {
  throw new StatusStoreError("STORE_INVALID_RECORD", `DynamoDB status store: scaler event ${id} ${problem}`);
}
