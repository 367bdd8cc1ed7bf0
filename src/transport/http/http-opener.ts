/**
 * Opening the HTTP transport from a parsed `http://host:port/path` or `https://…` URL, for `openTransport`.
 * Parameters beyond the common ones: the numeric options of {@link HttpTransportOptions} (`maxPayloadBytes`,
 * `maxPending` …), `requireSignature` and `requireThriftMessage` (`true` or `false`) and `bind` (the host to
 * listen on). Secrets never go in URLs: `THRIFT_QUEUE_HTTP_SECRET` holds them; TLS files are named by
 * `THRIFT_QUEUE_HTTP_TLS_KEY_FILE`, `THRIFT_QUEUE_HTTP_TLS_CERT_FILE` and `THRIFT_QUEUE_HTTP_TLS_CA_FILE`.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { ConfigError } from "../../errors.ts";
import type { CommonTransportSettings, TransportEnvironment } from "../open-transport.ts";
import type { Transport } from "../transport.ts";
import { numericParam, type TransportUrl } from "../transport-url.ts";
import type { HttpTransportOptions } from "./http-options.ts";

/** Query parameters read as numbers. */
const NUMERIC_PARAMETERS = [
  "maxPayloadBytes",
  "maxPending",
  "maxPendingBytes",
  "maxDeadLetters",
  "replayCacheSize",
  "maxSendAttempts",
  "retryBaseDelayMs",
  "retryMaxDelayMs",
  "requestTimeoutMs",
  "maxSockets",
] as const;
const BOOLEAN_PARAMETERS = ["requireSignature", "requireThriftMessage"] as const;
const COMMON_PARAMETERS = ["maxAttempts", "leaseMs"];
const TLS_FILES = {
  key: "THRIFT_QUEUE_HTTP_TLS_KEY_FILE",
  cert: "THRIFT_QUEUE_HTTP_TLS_CERT_FILE",
  ca: "THRIFT_QUEUE_HTTP_TLS_CA_FILE",
} as const;

/** The transport options a parsed `http:`/`https:` URL names; throws one ConfigError naming every problem. */
export function httpOptionsFromUrl(
  url: TransportUrl,
  settings: CommonTransportSettings,
  env: TransportEnvironment = process.env,
): HttpTransportOptions {
  const problems: string[] = [];
  const options: HttpTransportOptions = { url: url.url.toString(), queue: url.queue, ...settings };
  for (const name of NUMERIC_PARAMETERS) {
    try {
      const value = numericParam(url, name, Number.NaN);
      if (!Number.isNaN(value)) options[name] = value;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  for (const name of BOOLEAN_PARAMETERS) {
    const text = url.params.get(name);
    if (text === "true" || text === "false") options[name] = text === "true";
    else if (text !== undefined) problems.push(`${name} must be true or false, not ${JSON.stringify(text)}`);
  }
  const bind = url.params.get("bind");
  if (bind !== undefined) options.host = bind;
  for (const [option, variable] of Object.entries(TLS_FILES) as [keyof typeof TLS_FILES, string][]) {
    const file = env[variable];
    if (file === undefined || file === "" || url.url.protocol !== "https:") continue;
    try {
      options[option] = readFileSync(file);
    } catch (error) {
      problems.push(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  const known = new Set<string>([...COMMON_PARAMETERS, ...NUMERIC_PARAMETERS, ...BOOLEAN_PARAMETERS, "bind"]);
  for (const name of url.params.keys()) {
    if (!known.has(name)) problems.push(`unknown parameter ${JSON.stringify(name)}`);
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `invalid http: URL: ${problems.join("; ")}`);
  return options;
}

/** The opener of the `http` family for `openTransport` (imported lazily, like every family). */
export async function openHttpTransport(
  url: TransportUrl,
  settings: CommonTransportSettings,
  environment: TransportEnvironment,
): Promise<Transport> {
  const options = httpOptionsFromUrl(url, settings, environment);
  const { HttpTransport } = await import("./http-transport.ts");
  // The secret's variable is read from the same environment (none with `useEnvironment: false`).
  return new HttpTransport(options, { ...environment });
}
