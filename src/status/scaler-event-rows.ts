/**
 * Scaler events as rows of the SQL stores (SQLite and PostgreSQL lay them out alike: one column per field, the
 * instance ids as a JSON array, NULL for absent fields), both ways. Rows are read defensively: a row that is not
 * a valid event is `STORE_INVALID_RECORD`, never a crash.
 */
import { StatusStoreError } from "../errors.ts";
import { SCALER_EVENT_KINDS } from "./status-checks.ts";
import type { ScalerEvent, ScalerEventKind } from "./status-store.ts";

/** The columns of the scaler events table, in the order {@link scalerEventValues} gives them. */
export const SCALER_EVENT_COLUMNS = [
  "id",
  "lease",
  "scaler_id",
  "fencing_token",
  "kind",
  "at",
  "reason",
  "desired",
  "instance_ids",
  "memory",
] as const;

/** A value of one column as a driver returns it. */
type Cell = string | number | bigint | null | undefined | Uint8Array;

/** A row of the scaler events table. */
export type ScalerEventRow = Readonly<Record<string, unknown>>;

/** The column values of `event` (already checked), in {@link SCALER_EVENT_COLUMNS} order. */
export function scalerEventValues(event: ScalerEvent): Array<string | number | null> {
  return [
    event.id,
    event.lease,
    event.scalerId,
    event.fencingToken,
    event.kind,
    event.at,
    event.reason,
    event.desired ?? null,
    event.instanceIds === undefined ? null : JSON.stringify(event.instanceIds),
    event.memory ?? null,
  ];
}

const KINDS: ReadonlySet<string> = new Set(SCALER_EVENT_KINDS);

/** The event of a row; absent fields stay absent (not undefined-valued keys). */
export function scalerEventFromRow(row: ScalerEventRow): ScalerEvent {
  const id = text(row, "id", "?");
  const kind = text(row, "kind", id);
  if (!KINDS.has(kind)) invalid(id, `has an unknown kind ${JSON.stringify(kind)}`);
  const desired = optionalNumber(row, "desired", id);
  const instanceIds = optionalText(row, "instance_ids", id);
  const memory = optionalText(row, "memory", id);
  return {
    id,
    lease: text(row, "lease", id),
    scalerId: text(row, "scaler_id", id),
    fencingToken: number(row, "fencing_token", id),
    kind: kind as ScalerEventKind,
    at: number(row, "at", id),
    reason: text(row, "reason", id),
    ...(desired === undefined ? {} : { desired }),
    ...(instanceIds === undefined ? {} : { instanceIds: idList(instanceIds, id) }),
    ...(memory === undefined ? {} : { memory }),
  };
}

function idList(json: string, id: string): string[] {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return invalid(id, "has instance ids that are not JSON");
  }
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === "string")) {
    return invalid(id, "has instance ids that are not a list of strings");
  }
  return list;
}

function cell(row: ScalerEventRow, column: string): Cell {
  return row[column] as Cell;
}

function text(row: ScalerEventRow, column: string, id: string): string {
  return optionalText(row, column, id) ?? invalid(id, `has no ${column}`);
}

function optionalText(row: ScalerEventRow, column: string, id: string): string | undefined {
  const value = cell(row, column);
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "string") return invalid(id, `has a ${column} that is not text`);
  return value;
}

function number(row: ScalerEventRow, column: string, id: string): number {
  return optionalNumber(row, column, id) ?? invalid(id, `has no ${column}`);
}

/** A number column; bigint and numeric text (PostgreSQL's bigint) are read as numbers. */
function optionalNumber(row: ScalerEventRow, column: string, id: string): number | undefined {
  const value = cell(row, column);
  if (value === null || value === undefined) return undefined;
  const parsed = typeof value === "number" ? value : typeof value === "object" ? Number.NaN : Number(value);
  if (!Number.isFinite(parsed)) return invalid(id, `has a ${column} that is not a number`);
  return parsed;
}

function invalid(id: string, problem: string): never {
  throw new StatusStoreError("STORE_INVALID_RECORD", `scaler event ${id} ${problem}`);
}
