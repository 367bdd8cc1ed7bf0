/**
 * `GET /v1/scaler?lease=&kind=&before=&limit=`: what the autoscaler decided and did, from the status store — its
 * leader leases (who holds each, under which fencing token, until when), the newest decision with the policy's
 * memory, and a page of events, newest first. Mounted with the `routes` option of `createStatusApi` (and by
 * `thrift-queue serve`). Query parameters are checked before the store is asked: a bad one is a 400 naming it.
 */
import { ConfigError, StatusApiError, StatusStoreError } from "../errors.ts";
import { withinTime } from "../status/api/within-time.ts";
import { rfc3339 } from "../status/api/status-json.ts";
import { checkParameterNames, pageSize, quoted } from "../status/api/status-query.ts";
import type { StatusRoute } from "../status/api/status-route.ts";
import { SCALER_EVENT_KINDS, SCALER_EVENT_LIMITS } from "../status/status-checks.ts";
import type { Lease, ScalerEvent, ScalerEventKind, ScalerEventQuery, StatusStore } from "../status/status-store.ts";

/** Options of {@link scalerRoute}. */
export interface ScalerRouteOptions {
  /**
   * The leases always shown (one per fleet, e.g. `scaler:grep-workers`), held or not. @defaultValue none: the
   * leases of the events answered
   */
  readonly leases?: readonly string[];
  /** A store call taking longer is answered 503 `STORE_UNAVAILABLE`. @defaultValue 5000 */
  readonly storeTimeoutMs?: number;
}

/** A lease as `GET /v1/scaler` shows it. */
export interface ScalerLeaseJson {
  readonly name: string;
  /** Null for a lease never taken. */
  readonly holder: string | null;
  readonly token: number | null;
  readonly expiresAt: string | null;
  /** Taken and not lapsed at the time of the request. */
  readonly held: boolean;
}

/** A scaler event as `GET /v1/scaler` shows it (the policy memory only in `lastDecision`). */
export interface ScalerEventJson {
  readonly id: string;
  readonly lease: string;
  readonly scalerId: string;
  readonly fencingToken: number;
  readonly kind: ScalerEventKind;
  readonly at: string | null;
  readonly reason: string;
  readonly desired: number | null;
  readonly instanceIds: readonly string[] | null;
}

/** The newest decision, with the policy memory it left (JSON text, as recorded). */
export interface ScalerDecisionJson extends ScalerEventJson {
  readonly memory: string | null;
}

/** The body of `GET /v1/scaler`. */
export interface ScalerJson {
  readonly leases: readonly ScalerLeaseJson[];
  readonly lastDecision: ScalerDecisionJson | null;
  readonly events: readonly ScalerEventJson[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly nextBefore: string | null;
}

const PARAMETERS = ["lease", "kind", "before", "limit"] as const;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** The `GET /v1/scaler` route over `store`. Throws ConfigError for bad options. */
export function scalerRoute(store: StatusStore, options: ScalerRouteOptions = {}): StatusRoute {
  const { leases, storeTimeoutMs } = resolvedOptions(options);
  const timeoutError = (): StatusStoreError =>
    new StatusStoreError("STORE_UNAVAILABLE", `the status store did not answer within ${storeTimeoutMs} ms`, {
      retryable: true,
    });
  const bounded = <T>(call: Promise<T>): Promise<T> => withinTime(call, storeTimeoutMs, timeoutError);
  return {
    path: "/v1/scaler",
    async handle({ query, now }) {
      const filter = scalerQuery(query);
      const limit = filter.limit ?? DEFAULT_LIMIT;
      // One more than the page, where the store allows, says whether an older page exists.
      const fetched = await bounded(store.scalerEvents({ ...filter, limit: Math.min(limit + 1, MAX_LIMIT) }));
      const events = fetched.slice(0, limit);
      const more = fetched.length > limit || (limit === MAX_LIMIT && fetched.length === MAX_LIMIT);
      const decisionQuery = { kinds: ["decision"], limit: 1, ...leaseFilter(filter) } as const;
      const [lastDecision] = await bounded(store.scalerEvents(decisionQuery));
      const names = filter.lease !== undefined ? [filter.lease] : leases.length > 0 ? leases : leasesOf(events);
      const shown = await bounded(
        Promise.all(names.map(async (name) => leaseJson(name, await store.lease(name), now))),
      );
      const body: ScalerJson = {
        leases: shown,
        lastDecision:
          lastDecision === undefined ? null : { ...eventJson(lastDecision), memory: lastDecision.memory ?? null },
        events: events.map(eventJson),
        nextBefore: more ? (events.at(-1)?.id ?? null) : null,
      };
      return { body };
    },
  };
}

/** The store query of the request's parameters; a 400 naming a bad one. */
function scalerQuery(params: URLSearchParams): ScalerEventQuery {
  checkParameterNames(params, PARAMETERS);
  const lease = params.get("lease");
  const kind = params.get("kind");
  const before = params.get("before");
  const limit = params.get("limit");
  return {
    ...(lease === null ? {} : { lease: bounded(lease, "lease", SCALER_EVENT_LIMITS.lease) }),
    ...(kind === null ? {} : { kinds: kinds(kind) }),
    ...(before === null ? {} : { before: bounded(before, "before", SCALER_EVENT_LIMITS.id) }),
    ...(limit === null ? {} : { limit: pageSize(limit, "limit") }),
  };
}

/** `kind=launch,terminate`: one kind or several, comma-separated. */
function kinds(text: string): ScalerEventKind[] {
  const list = text.split(",").map((part) => part.trim());
  return list.map((part) => {
    const kind = SCALER_EVENT_KINDS.find((candidate) => candidate === part);
    if (kind === undefined) {
      throw invalidParameter(`kind must be one or more of ${SCALER_EVENT_KINDS.join(", ")}, got ${quoted(part)}`);
    }
    return kind;
  });
}

function bounded(text: string, name: string, max: number): string {
  if (text === "") throw invalidParameter(`${name} must not be empty`);
  if (text.length > max) throw invalidParameter(`${name} is longer than ${max} characters`);
  return text;
}

function leaseFilter(filter: ScalerEventQuery): { lease?: string } {
  return filter.lease === undefined ? {} : { lease: filter.lease };
}

/** The distinct leases of `events`, in the order they first appear (newest first). */
function leasesOf(events: readonly ScalerEvent[]): string[] {
  return [...new Set(events.map((event) => event.lease))];
}

function leaseJson(name: string, lease: Lease | undefined, now: number): ScalerLeaseJson {
  if (lease === undefined) return { name, holder: null, token: null, expiresAt: null, held: false };
  return {
    name,
    holder: lease.holder,
    token: lease.token,
    expiresAt: rfc3339(lease.expiresAt),
    held: lease.expiresAt > now,
  };
}

/** An event as JSON, without the policy memory (up to 64 KiB each). */
export function eventJson(event: ScalerEvent): ScalerEventJson {
  return {
    id: event.id,
    lease: event.lease,
    scalerId: event.scalerId,
    fencingToken: event.fencingToken,
    kind: event.kind,
    at: rfc3339(event.at),
    reason: event.reason,
    desired: event.desired ?? null,
    instanceIds: event.instanceIds === undefined ? null : [...event.instanceIds],
  };
}

function resolvedOptions(options: ScalerRouteOptions): { leases: readonly string[]; storeTimeoutMs: number } {
  const problems: string[] = [];
  const leases: unknown = options.leases ?? [];
  if (!Array.isArray(leases) || !leases.every((name) => typeof name === "string" && name !== "")) {
    problems.push("leases must be an array of non-empty names");
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? 5000;
  if (!Number.isInteger(storeTimeoutMs) || storeTimeoutMs < 1) {
    problems.push(`storeTimeoutMs must be a whole number ≥ 1, got ${String(storeTimeoutMs)}`);
  }
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid scaler route options: ${problems.join("; ")}`);
  }
  return { leases: [...(leases as string[])], storeTimeoutMs };
}

function invalidParameter(message: string): StatusApiError {
  return new StatusApiError("API_INVALID_PARAMETER", 400, message);
}
