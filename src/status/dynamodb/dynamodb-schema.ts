/**
 * The table and its global secondary indexes: the definition `ensureDynamoDbStatusTable` creates (on-demand
 * capacity) and the check that an existing table has the layout the store needs.
 *
 *   table            pk (S, HASH) + sk (S, RANGE)         jobs, workers and leases (see dynamodb-items.ts)
 *   jobs-by-id       allJobs (S, HASH) + id (S, RANGE)    every job, id descending: `list()` without filters
 *   jobs-by-state    state (S, HASH) + id (S, RANGE)      `list({ state })`, counts, scrub
 *   jobs-by-service  serviceKey (S, HASH) + id (S, RANGE) `list({ service })`, counts of a service
 *
 * Every index projects ALL attributes, so a page of jobs is one Query with no follow-up reads.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { StatusStoreError } from "../../errors.ts";
import { ATTR } from "./dynamodb-items.ts";

/** The index names and their keys. */
export const INDEXES = {
  all: { name: "jobs-by-id", partition: ATTR.allJobs },
  state: { name: "jobs-by-state", partition: ATTR.state },
  service: { name: "jobs-by-service", partition: ATTR.serviceKey },
} as const;

/** One of the job indexes. */
export type JobIndex = (typeof INDEXES)[keyof typeof INDEXES];

/** Options of {@link ensureDynamoDbStatusTable}. */
export interface EnsureDynamoDbStatusTableOptions {
  /** How long to wait for a new table and its indexes to become ACTIVE, in ms. @defaultValue 300000 */
  readonly waitTimeoutMs?: number;
  /** The longest pause between two questions whether it is, in ms (the first come sooner). @defaultValue 1000 */
  readonly pollIntervalMs?: number;
}

/** The CreateTable request of the store's table. */
export function tableDefinition(table: string): CreateTableCommandInput {
  return {
    TableName: table,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [ATTR.pk, ATTR.sk, ATTR.allJobs, ATTR.state, ATTR.serviceKey, ATTR.id].map((name) => ({
      AttributeName: name,
      AttributeType: "S",
    })),
    KeySchema: [
      { AttributeName: ATTR.pk, KeyType: "HASH" },
      { AttributeName: ATTR.sk, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partition, KeyType: "HASH" },
        { AttributeName: ATTR.id, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
  };
}

/**
 * Creates the table and its indexes unless the table exists, waits until they are ACTIVE, and checks the layout.
 * Safe to call from several processes at once. Needs `dynamodb:CreateTable` and `dynamodb:DescribeTable`.
 */
export async function ensureDynamoDbStatusTable(
  client: DynamoDBClient,
  table: string,
  options: EnsureDynamoDbStatusTableOptions = {},
): Promise<void> {
  const waitTimeoutMs = options.waitTimeoutMs ?? 300_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  let description = await describeTable(client, table);
  if (description === undefined) {
    try {
      description = (await client.send(new CreateTableCommand(tableDefinition(table)))).TableDescription;
    } catch (error) {
      // Another process created it first: wait for theirs.
      if (!(error instanceof Error && error.name === "ResourceInUseException")) throw error;
    }
  }
  const deadline = Date.now() + waitTimeoutMs;
  let polls = 0;
  while (!isActive(description)) {
    if (Date.now() > deadline) {
      throw new StatusStoreError(
        "STORE_UNAVAILABLE",
        `DynamoDB table ${table} is not ACTIVE after ${waitTimeoutMs} ms`,
        {
          retryable: true,
        },
      );
    }
    // Emulators are ready at once and DynamoDB takes seconds: ask soon, then less and less often.
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollIntervalMs, 25 * 2 ** polls++)));
    description = await describeTable(client, table);
  }
  checkTableLayout(table, description);
}

/** The table's description, or undefined when it does not exist. */
export async function describeTable(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (error) {
    if (error instanceof Error && error.name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** Throws `STORE_FAILED` naming what an existing table lacks (keys, indexes, their projection). */
export function checkTableLayout(table: string, description: TableDescription | undefined): void {
  if (description === undefined) {
    throw new StatusStoreError(
      "STORE_FAILED",
      `DynamoDB table ${table} does not exist: open with create=true or call ensureDynamoDbStatusTable()`,
    );
  }
  const problems: string[] = [];
  const keys = (description.KeySchema ?? []).map((key) => `${key.AttributeName ?? ""}:${key.KeyType ?? ""}`);
  if (keys.join(",") !== `${ATTR.pk}:HASH,${ATTR.sk}:RANGE`) problems.push(`its key must be ${ATTR.pk} + ${ATTR.sk}`);
  for (const index of Object.values(INDEXES)) {
    const found = description.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.name);
    const indexKeys = (found?.KeySchema ?? []).map((key) => `${key.AttributeName ?? ""}:${key.KeyType ?? ""}`);
    if (found === undefined) problems.push(`index ${index.name} is missing`);
    else if (indexKeys.join(",") !== `${index.partition}:HASH,${ATTR.id}:RANGE`) {
      problems.push(`index ${index.name} must be keyed by ${index.partition} + ${ATTR.id}`);
    } else if (found.Projection?.ProjectionType !== "ALL") problems.push(`index ${index.name} must project ALL`);
  }
  if (problems.length > 0) {
    throw new StatusStoreError(
      "STORE_FAILED",
      `DynamoDB table ${table} does not fit the status store: ${problems.join("; ")}`,
    );
  }
}

function isActive(description: TableDescription | undefined): boolean {
  return (
    description?.TableStatus === "ACTIVE" &&
    (description.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === "ACTIVE")
  );
}
