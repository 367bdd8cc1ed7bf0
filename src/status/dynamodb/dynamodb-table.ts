/**
 * One client on one table, as the store's methods use it: every call checks that the store is open, maps SDK
 * errors (see dynamodb-errors.ts), and the helpers page through Query results and bound parallel writes.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { StatusStoreError } from "../../errors.ts";
import { isConditionFailed, toDynamoDbStoreError } from "./dynamodb-errors.ts";
import type { Item } from "./dynamodb-items.ts";
import type { IndexQuery } from "./dynamodb-queries.ts";
import type { DynamoDbStatusStoreSettings } from "./dynamodb-settings.ts";

/** Writes a batch or a scrub issues at once at most: enough to hide latency, few enough not to throttle. */
export const MAX_PARALLEL_WRITES = 16;

/** A client and the table its store lives in. */
export class DynamoDbTable {
  /** The SDK client. */
  readonly client: DynamoDBClient;
  /** The table name. */
  readonly name: string;
  #closed = false;

  constructor(client: DynamoDBClient, name: string) {
    this.client = client;
    this.name = name;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses further calls; those in flight finish (or fail as STORE_CLOSED if the client is destroyed). */
  close(): void {
    this.#closed = true;
  }

  /** Throws STORE_CLOSED after close. */
  checkOpen(): void {
    if (this.#closed) throw new StatusStoreError("STORE_CLOSED", "the DynamoDB status store is closed");
  }

  /** Runs one SDK call; its errors become StatusStoreErrors. */
  async run<T>(doing: string, call: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    this.checkOpen();
    try {
      return await call(this.client);
    } catch (error) {
      this.checkOpen();
      throw toDynamoDbStoreError(error, doing);
    }
  }

  /**
   * Runs a conditional write: resolves with its output, or with `{ refused }` when the condition did not hold
   * (`refused.item` is the item as it was, where DynamoDB returned it).
   */
  async conditional<T>(
    doing: string,
    call: (client: DynamoDBClient) => Promise<T>,
  ): Promise<{ readonly output: T } | { readonly refused: { readonly item: Item | undefined } }> {
    this.checkOpen();
    try {
      return { output: await call(this.client) };
    } catch (error) {
      this.checkOpen();
      if (isConditionFailed(error)) {
        const item = error instanceof ConditionalCheckFailedException ? error.Item : (error as { Item?: Item }).Item;
        return { refused: { item: item ?? undefined } };
      }
      throw toDynamoDbStoreError(error, doing);
    }
  }

  /** Every page of a Query (on the table, or on an index), in order. */
  async *query(doing: string, query: IndexQuery, pageLimit?: number): AsyncGenerator<QueryCommandOutput> {
    let startKey: Item | undefined;
    do {
      const input = {
        ...query,
        TableName: this.name,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        ...(pageLimit === undefined ? {} : { Limit: pageLimit }),
      };
      const page = await this.run(doing, (client) => client.send(new QueryCommand(input)));
      yield page;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
}

/** Calls `body` on every item with at most `limit` calls in flight; rejects with the first failure once all settled. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  body: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await body(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== undefined) throw failure.error;
}

/** A client of its own for a store opened from its URL settings. */
export function createClient(settings: DynamoDbStatusStoreSettings): DynamoDBClient {
  return new DynamoDBClient({
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    maxAttempts: settings.maxAttempts,
    requestHandler: { connectionTimeout: settings.timeoutMs, requestTimeout: settings.timeoutMs },
  });
}
