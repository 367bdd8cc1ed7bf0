/**
 * Opens a status store from its URL, importing each family only when its scheme is used:
 *
 *   memory:                                   (one process; tests and examples)
 *   sqlite:<path>                             (the embedded default, e.g. sqlite:.data/status.db)
 *   postgres://user@host:5432/db              (postgresql:// too; DATABASE_URL when the URL is just postgres:)
 *   dynamodb://<table>?region=…&endpoint=…    (AWS DynamoDB, or an emulator at endpoint)
 */
import { ConfigError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { StatusStore } from "./status-store.ts";

/** Options that do not fit in a URL. */
export interface OpenStatusStoreOptions {
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
}

/** Opens one store family from its parsed URL. */
export type StatusStoreOpener = (url: URL, options: OpenStatusStoreOptions) => Promise<StatusStore>;

/** The store families. */
export type StatusStoreKind = "memory" | "sqlite" | "postgres" | "dynamodb";

const openers: Record<StatusStoreKind, StatusStoreOpener> = {
  memory: async (url, options) => (await import("./memory/memory-status-store.ts")).openMemoryStatusStore(url, options),
  sqlite: async (url, options) =>
    (await import("./sqlite/open-sqlite-status-store.ts")).openSqliteStatusStore(url, options),
  postgres: async (url, options) =>
    (await import("./postgres/postgres-status-store.ts")).openPostgresStatusStore(url, options),
  dynamodb: async (url, options) =>
    (await import("./dynamodb/dynamodb-status-store.ts")).openDynamoDbStatusStore(url, options),
};

const SCHEMES: Readonly<Record<string, StatusStoreKind>> = {
  "memory:": "memory",
  "sqlite:": "sqlite",
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "dynamodb:": "dynamodb",
};

/** The family a store URL names; throws ConfigError for anything else. */
export function statusStoreKind(urlText: string): { kind: StatusStoreKind; url: URL } {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new ConfigError("CONFIG_INVALID", `invalid status store URL ${JSON.stringify(urlText)}: not a URL`);
  }
  const kind = SCHEMES[url.protocol];
  if (kind === undefined) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `invalid status store URL ${JSON.stringify(urlText)}: use memory:, sqlite:<path>, postgres://… or dynamodb://<table>`,
    );
  }
  return { kind, url };
}

/** Opens the status store a URL names. Throws ConfigError for a bad URL or option. */
export async function openStatusStore(urlText: string, options: OpenStatusStoreOptions = {}): Promise<StatusStore> {
  const { kind, url } = statusStoreKind(urlText);
  return openers[kind](url, options);
}
