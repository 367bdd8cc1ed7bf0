/** The status API on its own `node:http` server (`thrift-queue serve`). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../../errors.ts";
import { createStatusApi, type StatusApiOptions } from "./status-api.ts";

/** Options of {@link startStatusServer}. */
export interface StatusServerOptions extends StatusApiOptions {
  /** The port to listen on; 0 picks a free one. @defaultValue 8080 */
  readonly port?: number;
  /** The interface to listen on (`0.0.0.0` for every IPv4 one). @defaultValue "127.0.0.1" */
  readonly host?: string;
  /** How long `close()` waits for requests in progress before it cuts their connections. @defaultValue 5000 */
  readonly closeTimeoutMs?: number;
}

/** A listening status server. */
export interface StatusServer {
  /** The base URL it answers at, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The port it listens on (the one picked when the option was 0). */
  readonly port: number;
  /**
   * Stops listening, lets requests in progress finish (up to `closeTimeoutMs`) and closes every connection.
   * Idempotent. It closes neither the store nor the transports, which belong to the caller.
   */
  close(): Promise<void>;
}

/** Starts the status API on a `node:http` server; resolves once it listens. Rejects with ConfigError when it cannot. */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const port = options.port ?? 8080;
  const host = options.host ?? "127.0.0.1";
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError("CONFIG_INVALID", `port must be a whole number from 0 to 65535, got ${String(port)}`);
  }
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, createStatusApi(options));
  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () => (closing ??= closeServer(server, closeTimeoutMs)),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const reason = error.code === "EADDRINUSE" ? "the address is in use" : error.message;
      reject(new ConfigError("CONFIG_INVALID", `cannot listen on ${host}:${port}: ${reason}`, { cause: error }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    // Keep-alive connections with no request in progress would otherwise hold `close` open.
    server.closeIdleConnections();
  });
}
