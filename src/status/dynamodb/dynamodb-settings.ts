/**
 * Settings of the DynamoDB status store, read from its URL, their defaults (applied here only) and their
 * validation:
 *
 *   dynamodb://<table>?region=eu-west-1
 *   dynamodb://<table>?region=us-east-1&endpoint=http://127.0.0.1:8000&create=true&maxAttempts=3&timeoutMs=5000
 *
 * Credentials are never in the URL: the SDK's default provider chain finds them (environment, shared files, the
 * instance or task role).
 */
import { ConfigError } from "../../errors.ts";

/** Settings of the DynamoDB status store, as URL query parameters. */
export interface DynamoDbStatusStoreSettings {
  /** The table holding jobs, workers and leases (the URL's host). */
  readonly table: string;
  /** The AWS region. @defaultValue the SDK's (AWS_REGION, the shared config file …) */
  readonly region: string | undefined;
  /** Another endpoint, such as an emulator (`http://127.0.0.1:8000`). @defaultValue AWS's endpoint of the region */
  readonly endpoint: string | undefined;
  /** Whether open creates the table and its indexes when missing (on-demand capacity). @defaultValue false */
  readonly create: boolean;
  /** Attempts per request, retries of throttling and network errors included (the SDK's backoff). @defaultValue 3 */
  readonly maxAttempts: number;
  /** How long one request attempt may take, connecting included, before it fails, in ms. @defaultValue 5000 */
  readonly timeoutMs: number;
}

const DEFAULTS = { create: false, maxAttempts: 3, timeoutMs: 5_000 } as const;

const KNOWN_PARAMS: ReadonlySet<string> = new Set(["region", "endpoint", "create", "maxAttempts", "timeoutMs"]);

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A region name such as `us-east-1` (also custom partitions' longer names). */
const REGION = /^[a-z0-9-]{2,64}$/;

/** Reads the settings from a `dynamodb:` URL; throws one ConfigError naming every bad field. */
export function dynamoDbSettingsFromUrl(url: URL): DynamoDbStatusStoreSettings {
  const problems: string[] = [];
  const table = tableName(url, problems);
  const region = url.searchParams.get("region") ?? undefined;
  if (region !== undefined && !REGION.test(region)) {
    problems.push(`region must look like us-east-1, got ${JSON.stringify(region)}`);
  }
  const endpoint = url.searchParams.get("endpoint") ?? undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    problems.push(`endpoint must be an http:// or https:// URL, got ${JSON.stringify(endpoint)}`);
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = url.searchParams.get(name);
    if (text === null) return fallback;
    const value = Number(text);
    if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const maxAttempts = integer("maxAttempts", DEFAULTS.maxAttempts, 1, 20);
  const timeoutMs = integer("timeoutMs", DEFAULTS.timeoutMs, 1, 600_000);
  const createText = url.searchParams.get("create");
  if (createText !== null && createText !== "true" && createText !== "false") {
    problems.push(`create must be true or false, got ${JSON.stringify(createText)}`);
  }
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) problems.push(`unknown parameter ${JSON.stringify(key)}`);
  }
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid DynamoDB status store URL: ${problems.join("; ")}`);
  }
  return {
    table,
    region,
    endpoint,
    create: createText === null ? DEFAULTS.create : createText === "true",
    maxAttempts,
    timeoutMs,
  };
}

/** Parses a store URL given as text; throws ConfigError for text that is not a URL. */
export function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ConfigError("CONFIG_INVALID", `invalid DynamoDB status store URL ${JSON.stringify(text)}: not a URL`);
  }
}

/** The table: `dynamodb://<table>` (or `dynamodb:<table>`, `dynamodb:///<table>`). */
function tableName(url: URL, problems: string[]): string {
  let name = "";
  try {
    name = decodeURIComponent(url.host !== "" ? url.host + url.pathname : url.pathname).replace(/^\/+/, "");
  } catch {
    problems.push("the table name is not valid percent-encoding");
    return name;
  }
  if (!TABLE_NAME.test(name)) {
    problems.push(`the table name must be 3–255 letters, digits, _, - or ., got ${JSON.stringify(name)}`);
  }
  return name;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== "";
  } catch {
    return false;
  }
}
