/**
 * dynalite (a DynamoDB emulator) started in this process on a random port, for the DynamoDB status store tests:
 * its endpoint, clients with dummy credentials, and fresh table names.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

/** A running emulator. */
export interface Dynalite {
  readonly endpoint: string;
  /** A new client of the emulator (the caller destroys it). */
  client(): DynamoDBClient;
  /** A table name no other test uses. */
  freshTable(): string;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Dummy credentials: dynalite checks none, but the SDK signs every request. */
export const DUMMY_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

/** Starts dynalite on 127.0.0.1 and a random port; sets dummy credentials for clients built from URLs. */
export async function startDynalite(): Promise<Dynalite> {
  process.env["AWS_ACCESS_KEY_ID"] ??= DUMMY_CREDENTIALS.accessKeyId;
  process.env["AWS_SECRET_ACCESS_KEY"] ??= DUMMY_CREDENTIALS.secretAccessKey;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    client: () => new DynamoDBClient({ region: "us-east-1", endpoint, credentials: DUMMY_CREDENTIALS }),
    freshTable: () => `tq-${randomUUID()}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
