/**
 * Leader election between three `thrift-queue scaler` processes sharing one status store (SQLite, then
 * PostgreSQL) and one local fleet: the leader launches the fleet; killed with SIGKILL, another takes the lease
 * over within its TTL and launches nothing twice; killed again, the third does the same.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProducer, openStatusStore, SqliteTransport } from "thrift-queue";
import { createThumbnailsClient } from "../../examples/quickstart/gen/jobs.ts";
import { LocalInstanceFiles } from "../../src/scaler/fleet/local/local-instance-files.ts";
import type { StatusStore } from "../../src/status/status-store.ts";
import { postgresUnavailable, withPostgres, type TestSchemas } from "./postgres-server.ts";
import { ensureBuilt, REPO_ROOT, waitUntil } from "./worker-cli-process.ts";

const LEASE_TTL_S = 4;
const FLEET = "failover";
const IDLE_WORKER = [process.execPath, "-e", "setInterval(() => {}, 1000)"];

interface Cluster {
  readonly store: StatusStore;
  readonly files: LocalInstanceFiles;
  readonly scalers: Map<string, ChildProcess>;
}

async function startCluster(storeUrl: string, cleanUps: Array<() => Promise<void>>): Promise<Cluster> {
  const folder = await mkdtemp(join(tmpdir(), "tq-scaler-leader-"));
  const queuePath = join(folder, "queue.db");
  const transport = new SqliteTransport({ path: queuePath, queue: "thumbnails" });
  const client = createThumbnailsClient(createProducer({ transport }));
  await Promise.all(
    Array.from({ length: 200 }, (_, index) => client.render({ job: { imageId: `i${index}`, requestedAt: 1n } })),
  );
  const store = await openStatusStore(storeUrl);
  const stateDirectory = join(folder, "fleet");
  const files = new LocalInstanceFiles(stateDirectory);
  const scalers = new Map<string, ChildProcess>();
  for (const id of ["s1", "s2", "s3"]) {
    const argv = [
      ...["bin/thrift-queue.js", "scaler", "--fleet", "local", "--name", FLEET, "--scaler-id", id],
      ...["--transport", `sqlite:${queuePath}?queue=thumbnails`, "--store", storeUrl, "--state-dir", stateDirectory],
      ...["--max", "3", "--target-wait", "5", "--lease-ttl", String(LEASE_TTL_S), "--tick", "1", "--boot-delay", "5"],
      "--",
      ...IDLE_WORKER,
    ];
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "ignore"] });
    scalers.set(id, child);
  }
  cleanUps.push(async () => {
    for (const child of scalers.values()) child.kill("SIGKILL");
    for (const file of await files.all()) if (file.pid !== undefined) killQuietly(file.pid);
    await transport.close({ drainTimeoutMs: 0 });
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });
  return { store, files, scalers };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function holder(store: StatusStore): Promise<{ holder: string; token: number } | undefined> {
  const lease = await store.lease(`scaler:${FLEET}`);
  return lease !== undefined && lease.expiresAt > Date.now() ? lease : undefined;
}

/** Kills the leader; returns how long the next one took to hold the lease. */
async function killLeader(cluster: Cluster): Promise<{ before: string; after: string; takeoverMs: number }> {
  const current = await holder(cluster.store);
  if (current === undefined) throw new Error("no leader");
  cluster.scalers.get(current.holder)?.kill("SIGKILL");
  cluster.scalers.delete(current.holder);
  const killedAt = Date.now();
  let next: { holder: string; token: number } | undefined;
  await waitUntil(
    async () => {
      next = await holder(cluster.store);
      return next !== undefined && next.holder !== current.holder;
    },
    40_000,
    "another scaler to take the lease",
  );
  expect(next!.token).toBeGreaterThan(current.token);
  return { before: current.holder, after: next!.holder, takeoverMs: Date.now() - killedAt };
}

async function expectFleetOfThree(cluster: Cluster): Promise<void> {
  // A few more ticks of the new leader: it sees the booting instances and launches nothing.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(await cluster.files.all()).toHaveLength(3);
}

function failoverSuite(storeUrl: () => string): void {
  const cleanUps: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
  });

  it("a new leader takes over within the lease when the leader is killed, and never launches twice", async () => {
    const cluster = await startCluster(storeUrl(), cleanUps);
    await waitUntil(async () => (await cluster.files.all()).length === 3, 30_000, "the leader to launch 3 workers");
    await expectFleetOfThree(cluster);

    const first = await killLeader(cluster);
    expect(first.takeoverMs).toBeLessThanOrEqual(30_000);
    await expectFleetOfThree(cluster);
    const second = await killLeader(cluster);
    expect(second.takeoverMs).toBeLessThanOrEqual(30_000);
    await expectFleetOfThree(cluster);

    const events = await cluster.store.scalerEvents({ lease: `scaler:${FLEET}`, limit: 1000 });
    const launches = events.filter((event) => event.kind === "launch");
    expect(launches).toHaveLength(1);
    const leaders = events.filter((event) => event.kind === "leader").map((event) => event.scalerId);
    expect(leaders.reverse()).toEqual([first.before, first.after, second.after]);
  }, 120_000);
}

describe("scaler leader election, three processes sharing a SQLite store", () => {
  beforeAll(ensureBuilt, 120_000);
  let folder = "";
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "tq-scaler-store-"));
  });
  failoverSuite(() => `sqlite:${join(folder, `status-${Date.now()}.db`)}`);
});

const unavailable = await postgresUnavailable();
withPostgres(
  "scaler leader election, three processes sharing a PostgreSQL store",
  unavailable,
  (schemas: TestSchemas) => {
    describe("scaler leader election, three processes sharing a PostgreSQL store", () => {
      beforeAll(ensureBuilt, 120_000);
      failoverSuite(() => schemas.url());
    });
  },
);
