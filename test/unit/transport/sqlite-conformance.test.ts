/** The SQLite transport passes the transport conformance suite, on a temporary file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll } from "vitest";
import { SqliteTransport } from "thrift-queue";
import { runTransportConformance } from "../../conformance/transport-conformance.ts";

const directory = mkdtempSync(join(tmpdir(), "tq-sqlite-conformance-"));
const path = join(directory, "queue.db");

afterAll(() => rmSync(directory, { recursive: true, force: true }));

runTransportConformance("sqlite", {
  open: (queue, options) => Promise.resolve(new SqliteTransport({ path, queue, ...options })),
  // A row another program wrote that is not an envelope: its metadata is not JSON.
  injectMalformed: (queue) => {
    const database = new DatabaseSync(path);
    try {
      database
        .prepare(
          `INSERT INTO thrift_queue_messages (queue, id, metadata, payload, enqueued_at, available_at)
           VALUES (?, 'not-an-envelope', '{not json', x'00', 0, 0)`,
        )
        .run(queue);
    } finally {
      database.close();
    }
    return Promise.resolve();
  },
  unitMs: 40,
});
