/** The built-in routes of the status API: jobs, counts, workers, queues and the health check. */
import { StatusApiError, toThriftQueueError, TransportError } from "../../errors.ts";
import type { QueueStats, Transport, TransportCapabilities } from "../../transport/transport.ts";
import { checkParameterNames, countsFilter, jobListQuery, quoted } from "./status-query.ts";
import { requireParam, type StatusRoute, type StatusRouteRequest } from "./status-route.ts";
import { countsJson, jobJson, workerJson } from "./status-json.ts";
import { withinTime } from "./within-time.ts";

/** Settings the built-in routes read. */
export interface BuiltInRouteSettings {
  /** A worker last seen longer ago than this is stale. */
  readonly staleAfterMs: number;
  /** How long a transport's `stats()` may take before its queue is reported with an error. */
  readonly statsTimeoutMs: number;
  /** Runs a store call within the API's store timeout. */
  readonly withinStoreTimeout: <T>(call: Promise<T>) => Promise<T>;
}

/** The id the health check looks up: a primary-key read of a job that never exists, the cheapest store call. */
const HEALTH_PROBE_ID = "thrift-queue-healthz-probe";

/** The built-in routes, in matching order (literal paths before `:id`). */
export function builtInRoutes(settings: BuiltInRouteSettings): readonly StatusRoute[] {
  const { withinStoreTimeout } = settings;
  return [
    {
      path: "/healthz",
      async handle({ store, query }) {
        checkParameterNames(query, []);
        // A store that fails here is answered 503 by the error mapping, like every unavailable store.
        await withinStoreTimeout(store.get(HEALTH_PROBE_ID));
        return { body: { ok: true, store: store.kind } };
      },
    },
    {
      path: "/v1/counts",
      async handle({ store, query }) {
        return { body: countsJson(await withinStoreTimeout(store.counts(countsFilter(query)))) };
      },
    },
    {
      path: "/v1/jobs",
      async handle({ store, query }) {
        const page = await withinStoreTimeout(store.list(jobListQuery(query)));
        return { body: { jobs: page.jobs.map(jobJson), nextCursor: page.nextCursor ?? null } };
      },
    },
    {
      path: "/v1/jobs/:id",
      async handle({ store, query, params }) {
        checkParameterNames(query, []);
        const id = requireParam(params, "id");
        const job = await withinStoreTimeout(store.get(id));
        if (job === undefined) throw new StatusApiError("API_JOB_NOT_FOUND", 404, `no job ${quoted(id)}`);
        return { body: jobJson(job) };
      },
    },
    {
      path: "/v1/workers",
      async handle({ store, query, now }) {
        checkParameterNames(query, []);
        const workers = await withinStoreTimeout(store.workers());
        return { body: { workers: workers.map((worker) => workerJson(worker, now, settings.staleAfterMs)) } };
      },
    },
    {
      path: "/v1/queues",
      async handle(request) {
        checkParameterNames(request.query, []);
        return { body: { queues: await queuesJson(request, settings.statsTimeoutMs) } };
      },
    },
  ];
}

/** One queue of `GET /v1/queues`: its depth, or why it is unknown. */
export interface QueueJson {
  readonly kind: string;
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  readonly stats: Record<keyof QueueStats, number | null> | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

async function queuesJson(request: StatusRouteRequest, timeoutMs: number): Promise<QueueJson[]> {
  return Promise.all(request.transports.map((transport) => queueJson(request, transport, timeoutMs)));
}

async function queueJson(request: StatusRouteRequest, transport: Transport, timeoutMs: number): Promise<QueueJson> {
  const base = { kind: transport.kind, queue: transport.queue, capabilities: { ...transport.capabilities } };
  try {
    const stats = await withinTime(transport.stats(), timeoutMs, () => statsTimeout(transport, timeoutMs));
    return {
      ...base,
      stats: {
        visible: stats.visible,
        inFlight: stats.inFlight,
        delayed: stats.delayed,
        oldestAgeMs: stats.oldestAgeMs ?? null,
        deadLettered: stats.deadLettered ?? null,
      },
      error: null,
    };
  } catch (error) {
    const failure = toThriftQueueError(error);
    request.logger.warn({ err: error, kind: transport.kind, queue: transport.queue }, "queue stats failed");
    // The code and a fixed text only: a driver's message may name hosts or credentials.
    const code = failure.code === "UNKNOWN" ? "STATS_FAILED" : failure.code;
    const message = failure instanceof StatsTimeout ? failure.message : "the queue's stats could not be read";
    return { ...base, stats: null, error: { code, message } };
  }
}

/** A transport whose stats took too long. */
class StatsTimeout extends TransportError {}

function statsTimeout(transport: Transport, ms: number): StatsTimeout {
  const message = `stats did not answer within ${ms} ms`;
  return new StatsTimeout("TRANSPORT_UNAVAILABLE", message, { queue: transport.queue, retryable: true });
}
