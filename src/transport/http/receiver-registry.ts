/**
 * The receivers of this process, shared by address: every HTTP transport that listens on the same protocol, host
 * and port shares one server, and those on the same path share one route (one buffer), so a producer and its
 * consumers in one process meet there, as memory queues meet by name. A server stops when its last route is let
 * go; a route's buffer outlives it while it still holds jobs (those released on close), for the next transport
 * of this process that listens on the same address and path. Nothing outlives the process.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { ConfigError, TransportError } from "../../errors.ts";
import type { Envelope } from "../envelope.ts";
import type { ResolvedHttpOptions } from "./http-options.ts";
import { createRequestListener, type AcceptPolicy, type ReceiverRoute } from "./http-receiver.ts";
import { ReceiveBuffer } from "./receive-buffer.ts";
import { ReplayCache } from "./replay-cache.ts";
import { WEBHOOK_TOLERANCE_MS } from "./webhook-signature.ts";

/** How long an accepted id is remembered: the signature window both ways, so a replay within it is recognised. */
const REPLAY_TTL_MS = 2 * WEBHOOK_TOLERANCE_MS;
/** How long a closing server waits for requests under way before it drops their connections. */
const CLOSE_GRACE_MS = 1000;

/** A route's jobs and policy, kept while a transport listens on it or while it holds jobs. */
class RouteState implements ReceiverRoute {
  policy: AcceptPolicy;
  readonly buffer: ReceiveBuffer;
  readonly replay: ReplayCache;
  /** Transports holding the route; `accepting` while one of them is not closing. */
  holders = 0;
  active = 0;

  constructor(policy: AcceptPolicy, options: ResolvedHttpOptions) {
    this.policy = policy;
    this.replay = new ReplayCache(options.replayCacheSize, REPLAY_TTL_MS);
    this.buffer = new ReceiveBuffer({
      maxPending: options.maxPending,
      maxPendingBytes: options.maxPendingBytes,
      maxDeadLetters: options.maxDeadLetters,
      onDeadLetterDropped: (envelope: Envelope) =>
        options.logger.warn(
          { queue: options.queue, jobId: envelope.id },
          "HTTP receiver dropped its oldest dead letter (maxDeadLetters reached)",
        ),
    });
  }

  get accepting(): boolean {
    return this.active > 0;
  }
}

/** One listening server and the routes it serves. */
interface ServerEntry {
  readonly key: string;
  readonly server: Server;
  readonly routes: Map<string, RouteState>;
  readonly ready: Promise<AddressInfo>;
  readonly tls: { readonly key: string | Buffer | undefined; readonly cert: string | Buffer | undefined };
}

const servers = new Map<string, ServerEntry>();
const routeStates = new Map<string, RouteState>();
let ephemeralCount = 0;

/** A transport's hold on a route: the buffer it receives from, and how it lets go. */
export interface ReceiverHold {
  /** Where jobs POSTed to the route are held. */
  readonly buffer: ReceiveBuffer;
  /** The address the server listens on (the real port when 0 was asked). */
  readonly address: { readonly host: string; readonly port: number };
  /** Stops accepting on the route (503) unless another transport still holds it open. Idempotent. */
  stopAccepting(): void;
  /** Lets go of the route; the server stops when no route is left. Idempotent. */
  release(): Promise<void>;
}

/**
 * Listens on the options' address and path (starting the server if this process has none there yet) and holds the
 * route. Throws ConfigError when the route is already served with another policy or the server with other TLS
 * material, TransportError (`TRANSPORT_UNAVAILABLE`) when the address cannot be bound.
 */
export async function holdReceiver(options: ResolvedHttpOptions, policy: AcceptPolicy): Promise<ReceiverHold> {
  const { entry, address } = await listeningServer(options);
  const routeKey = `${entry.key}${options.route}`;
  let route = routeStates.get(routeKey);
  if (route && route.holders > 0 && !samePolicy(route.policy, policy)) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `${options.target.href} is already received in this process with other options (secret, requireSignature, ` +
        "requireThriftMessage or maxPayloadBytes)",
    );
  }
  if (!route) routeStates.set(routeKey, (route = new RouteState(policy, options)));
  if (route.holders === 0) route.policy = policy;
  const held = route;
  held.holders++;
  held.active++;
  entry.routes.set(options.route, held);
  let accepting = true;
  let released: Promise<void> | undefined;
  const stopAccepting = (): void => {
    if (accepting) held.active--;
    accepting = false;
  };
  return {
    buffer: held.buffer,
    address: { host: address.address, port: address.port },
    stopAccepting,
    release: () => {
      released ??= (async () => {
        stopAccepting();
        if (--held.holders === 0) {
          entry.routes.delete(options.route);
          if (held.buffer.isEmpty) routeStates.delete(routeKey);
        }
        if (entry.routes.size === 0 && servers.get(entry.key) === entry) {
          servers.delete(entry.key);
          await closeServer(entry.server);
        }
      })();
      return released;
    },
  };
}

/** The server for the options' address, listening; started anew if the last one stopped while this call waited. */
async function listeningServer(options: ResolvedHttpOptions): Promise<{ entry: ServerEntry; address: AddressInfo }> {
  for (;;) {
    const entry = serverFor(options);
    const address = await entry.ready;
    if (servers.get(entry.key) === entry) return { entry, address };
  }
}

/** The buffer of a route of this process, whether or not it is served now. */
export function findReceiveBuffer(options: ResolvedHttpOptions): ReceiveBuffer | undefined {
  return routeStates.get(`${serverKey(options)}${options.route}`)?.buffer;
}

function serverKey(options: ResolvedHttpOptions): string {
  return `${options.target.protocol}//${options.host}:${options.port}`;
}

function serverFor(options: ResolvedHttpOptions): ServerEntry {
  // Port 0 asks for a fresh port: never shared.
  const key = options.port === 0 ? `${serverKey(options)}#${++ephemeralCount}` : serverKey(options);
  const existing = servers.get(key);
  if (existing) {
    if (!sameMaterial(existing.tls.key, options.key) || !sameMaterial(existing.tls.cert, options.cert)) {
      throw new ConfigError("CONFIG_INVALID", `${key} is already served in this process with another key or cert`);
    }
    return existing;
  }
  const routes = new Map<string, RouteState>();
  const listener = createRequestListener({
    route: (path) => routes.get(path),
    now: options.now,
    logger: options.logger,
  });
  const secure = options.target.protocol === "https:";
  const tls = { key: options.key, cert: options.cert };
  let server: Server;
  try {
    server = secure ? createHttpsServer(tls, listener) : createHttpServer(listener);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError("CONFIG_INVALID", `invalid TLS key or cert for ${key}: ${reason}`, { cause: error });
  }
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(60_000, options.requestTimeoutMs);
  const ready = listen(server, options).catch((error: unknown) => {
    if (servers.get(key) === entry) servers.delete(key);
    throw error;
  });
  const entry: ServerEntry = { key, server, routes, ready, tls };
  servers.set(key, entry);
  server.on("error", (error) => options.logger.error({ err: error, server: key }, "HTTP receiver server error"));
  return entry;
}

function listen(server: Server, options: ResolvedHttpOptions): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new TransportError(
          "TRANSPORT_UNAVAILABLE",
          `cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`,
          { queue: options.queue, cause: error },
        ),
      );
    };
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function samePolicy(a: AcceptPolicy, b: AcceptPolicy): boolean {
  const keys = (policy: AcceptPolicy): string =>
    policy.keys.map((key) => Buffer.from(key).toString("base64")).join(" ");
  return (
    keys(a) === keys(b) &&
    a.requireSignature === b.requireSignature &&
    a.requireThriftMessage === b.requireThriftMessage &&
    a.maxPayloadBytes === b.maxPayloadBytes
  );
}

function sameMaterial(a: string | Buffer | undefined, b: string | Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}
