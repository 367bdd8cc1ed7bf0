/**
 * Query parameters of the status API, checked before the store sees them: every bad parameter is a 400 naming it.
 * The cursor stays opaque here (each store family makes its own); the store rejects a garbage one.
 */
import { StatusApiError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../job-state.ts";
import { MAX_PAGE_SIZE } from "../query-page.ts";
import type { JobQuery } from "../status-store.ts";

/** Longest service, method or cursor value accepted. */
const MAX_VALUE_LENGTH = 2048;

/** The parameters of `GET /v1/jobs`. */
const JOB_LIST_PARAMETERS = ["state", "service", "method", "since", "limit", "cursor"] as const;
/** The parameters of `GET /v1/counts`. */
const COUNT_PARAMETERS = ["service", "method"] as const;

/** Throws unless every parameter is one of `allowed` and none is given twice. */
export function checkParameterNames(params: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!allowed.includes(name)) {
      const expected = allowed.length === 0 ? "none are accepted" : `use ${allowed.join(", ")}`;
      throw invalidParameter(`unknown parameter ${quoted(name)}; ${expected}`);
    }
    if (seen.has(name)) throw invalidParameter(`parameter ${name} is given more than once`);
    seen.add(name);
  }
}

/** The store query of `GET /v1/jobs?state=&service=&method=&since=&limit=&cursor=`. */
export function jobListQuery(params: URLSearchParams): JobQuery {
  checkParameterNames(params, JOB_LIST_PARAMETERS);
  const state = params.get("state");
  const since = params.get("since");
  const limit = params.get("limit");
  const cursor = params.get("cursor");
  return {
    ...(state === null ? {} : { state: jobState(state, "state") }),
    ...nameFilters(params),
    ...(since === null ? {} : { since: timeParameter(since, "since") }),
    ...(limit === null ? {} : { limit: pageSize(limit, "limit") }),
    ...(cursor === null ? {} : { cursor: boundedValue(cursor, "cursor") }),
  };
}

/** The filter of `GET /v1/counts?service=&method=`. */
export function countsFilter(params: URLSearchParams): Pick<JobQuery, "service" | "method"> {
  checkParameterNames(params, COUNT_PARAMETERS);
  return nameFilters(params);
}

/** A job state, or a 400 naming `name` and the states. */
export function jobState(text: string, name: string): JobState {
  const state = JOB_STATES.find((candidate) => candidate === text);
  if (state === undefined)
    throw invalidParameter(`${name} must be one of ${JOB_STATES.join(", ")}, got ${quoted(text)}`);
  return state;
}

/** A page size from 1 to 1000, or a 400 naming `name`. */
export function pageSize(text: string, name: string): number {
  const value = /^[0-9]{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw invalidParameter(`${name} must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${quoted(text)}`);
  }
  return value;
}

/**
 * A time given as RFC 3339 (`2026-01-02T03:04:05Z`, with an offset or fractional seconds) or as Unix ms
 * (`1767323045000`); a 400 naming `name` otherwise.
 */
export function timeParameter(text: string, name: string): number {
  if (/^[0-9]{1,16}$/.test(text)) return Number(text);
  const ms = rfc3339Time(text);
  if (ms === undefined) {
    throw invalidParameter(`${name} must be an RFC 3339 time or Unix milliseconds, got ${quoted(text)}`);
  }
  return ms;
}

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Unix ms of an RFC 3339 time, or undefined; Date.parse alone takes `02-30` for March 2. */
function rfc3339Time(text: string): number | undefined {
  const parts = RFC_3339.exec(text);
  if (parts === null) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = parts[9] === undefined || (Number(parts[9]) <= 23 && Number(parts[10]) <= 59);
  const fieldsOk = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59;
  // A leap second (:60) is taken as the next second's start, as most systems do.
  if (!fieldsOk || !offsetOk || second > 60) return undefined;
  const fraction = parts[7] ?? "";
  const normalised = text
    .replace(" ", "T")
    .replace(/:60(?=[.Zz+-])/, ":59")
    .replace(fraction, fraction.slice(0, 4));
  // `since` is inclusive: a time between two milliseconds starts at the next one.
  const belowMs = /[1-9]/.test(fraction.slice(4)) ? 1 : 0;
  const ms = Date.parse(normalised) + (second === 60 ? 1000 : 0) + belowMs;
  return Number.isFinite(ms) ? ms : undefined;
}

function nameFilters(params: URLSearchParams): Pick<JobQuery, "service" | "method"> {
  const service = params.get("service");
  const method = params.get("method");
  return {
    ...(service === null ? {} : { service: boundedValue(service, "service") }),
    ...(method === null ? {} : { method: boundedValue(method, "method") }),
  };
}

function boundedValue(text: string, name: string): string {
  if (text === "") throw invalidParameter(`${name} must not be empty`);
  if (text.length > MAX_VALUE_LENGTH) throw invalidParameter(`${name} is longer than ${MAX_VALUE_LENGTH} characters`);
  return text;
}

/** A value for a message: JSON-quoted (so control characters are escaped) and cut when long. */
export function quoted(text: string): string {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return JSON.stringify(shown);
}

function invalidParameter(message: string): StatusApiError {
  return new StatusApiError("API_INVALID_PARAMETER", 400, message);
}
