/**
 * Query checks and pages shared by the status stores: every store validates `limit` and `cursor` the same way
 * and pages by id descending with the last id of a page as the cursor.
 */
import { StatusStoreError } from "../errors.ts";
import { JOB_STATES } from "./job-state.ts";
import type { JobPage, JobQuery, JobRecord } from "./status-store.ts";

/** Page size when a query gives none. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest page a query may ask for. */
export const MAX_PAGE_SIZE = 1000;

const CURSOR_PREFIX = "id:";
const MAX_CURSOR_LENGTH = 2048;

/** A checked query: the page size and the id the page starts after (exclusive), if any. */
export interface CheckedQuery {
  readonly limit: number;
  readonly after: string | undefined;
}

/** Checks a query's limit, state and cursor; throws `STORE_INVALID_QUERY` naming what is wrong. */
export function checkedQuery(query: JobQuery): CheckedQuery {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidQuery(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(limit)}`);
  }
  if (query.state !== undefined && !JOB_STATES.includes(query.state)) {
    throw invalidQuery(`unknown state ${JSON.stringify(query.state)}`);
  }
  if (query.since !== undefined && !Number.isFinite(query.since)) throw invalidQuery("since must be a time in ms");
  return { limit, after: query.cursor === undefined ? undefined : decodeCursor(query.cursor) };
}

/** The cursor that continues after `id`. */
export function encodeCursor(id: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`, "utf8").toString("base64url");
}

/** The id a cursor continues after; throws `STORE_INVALID_QUERY` for anything not made by {@link encodeCursor}. */
export function decodeCursor(cursor: string): string {
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw invalidQuery("invalid cursor");
  }
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidQuery("invalid cursor");
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(CURSOR_PREFIX) || encodeCursor(text.slice(CURSOR_PREFIX.length)) !== cursor) {
    throw invalidQuery("invalid cursor");
  }
  return text.slice(CURSOR_PREFIX.length);
}

/** A page from up to `limit + 1` rows in id-descending order: the extra row only says that there is more. */
export function pageOf(rows: readonly JobRecord[], limit: number): JobPage {
  const jobs = rows.slice(0, limit);
  const last = jobs.at(-1);
  return { jobs, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : undefined };
}

function invalidQuery(message: string): StatusStoreError {
  return new StatusStoreError("STORE_INVALID_QUERY", message);
}
