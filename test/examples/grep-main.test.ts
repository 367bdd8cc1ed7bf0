/**
 * The orchestrator (`npm start`'s GrepTheWeb) as a real process: on the embedded defaults in a temporary data
 * folder, over RabbitMQ + PostgreSQL, and over SQS + S3 (fauxqs) + DynamoDB (dynalite). Each run must exit 0,
 * print the results, leave every chunk `succeeded` in the status store, and its merged results must equal a
 * direct `grep -n` of the documents.
 */
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStatusStore } from "thrift-queue";
import { openBlobStore } from "../../examples/grep/blob-store.ts";
import { FolderBlobStore } from "../../examples/grep/folder-blob-store.ts";
import { resultKey } from "../../examples/grep/chunking.ts";
import { ChunkResult } from "../../examples/grep/gen/grep.ts";
import { EXAMPLE_PATTERN } from "../../examples/grep/grep-config.ts";
import { mergeChunkResults } from "../../examples/grep/merge-results.ts";
import { SAMPLE_FOLDER } from "../../examples/grep/sample-documents.ts";
import { getSearch, postSearch, waitForSearch } from "../../examples/grep/search-client.ts";
import { readManifest } from "../../examples/grep/search-manifest.ts";
import { findAmqpBroker, withAmqpBroker } from "../integration/amqp-broker.ts";
import { startDynalite, type Dynalite } from "../integration/dynalite-server.ts";
import { postgresUnavailable, TestSchemas } from "../integration/postgres-server.ts";
import { FAUXQS_CREDENTIALS, startTestFauxqs, type Fauxqs } from "../integration/sqs-fauxqs.ts";

const MAIN = fileURLToPath(new URL("../../examples/grep/main.ts", import.meta.url));
const HOOKS = fileURLToPath(new URL("./grep-source-hooks.ts", import.meta.url));
const RUN_TIMEOUT_MS = 90_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the orchestrator with `args` in `cwd`; kills it after the timeout. */
function runMain(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", HOOKS, MAIN, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `grep -n -i -E` of the sample documents, as (file, line, text), sorted by file then line. */
async function directGrep(pattern: string): Promise<{ document: string; line: number; text: string }[]> {
  const files = (await readdir(SAMPLE_FOLDER)).filter((name) => name.endsWith(".log")).sort();
  const { stdout } = await promisify(execFile)("grep", ["-H", "-n", "-i", "-E", pattern, ...files], {
    cwd: SAMPLE_FOLDER,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [, document = "", number = "", text = ""] = /^([^:]+):(\d+):(.*)$/s.exec(line) ?? [];
      return { document: `documents/sample/${document}`, line: Number(number), text };
    });
}

/** Checks one finished run: output, every chunk succeeded, results equal grep. */
async function verifyRun(
  run: Run,
  dataDir: string,
  storeUrl: string,
  blobsUrl: string,
  workers: "fixed" | "autoscaled" = "fixed",
): Promise<void> {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/\d+ matching lines in 10 documents \(10000 lines scanned\)/);
  expect(run.stdout).toContain("100% succeeded");
  if (workers === "fixed") expect(run.stdout).toContain("workers exited with 0, 0, 0");
  else expect(run.stdout).toMatch(/the scaler gave its lease up; [1-3] workers stopped\n/);
  const summary = JSON.parse(await readFile(join(dataDir, "last-search.json"), "utf8")) as { searchId: string };

  const blobs = await openBlobStore(blobsUrl);
  const store = await openStatusStore(storeUrl);
  try {
    const manifest = await readManifest(blobs, summary.searchId);
    expect(manifest?.chunks).toHaveLength(5);
    for (const chunk of manifest?.chunks ?? []) {
      const record = await store.get(chunk.jobId);
      expect(record).toMatchObject({ state: "succeeded", service: "GrepTheWeb", method: "matchChunk", progress: 100 });
    }
    if (workers === "fixed") {
      const pid = await orchestratorPid(dataDir);
      const fixed = (await store.workers()).filter((worker) => worker.workerId.endsWith(`-${pid}`));
      expect(fixed.map((worker) => worker.status)).toEqual(["stopped", "stopped", "stopped"]);
    } else {
      await verifyScaler(store, run);
    }

    const results = await Promise.all(
      (manifest?.chunks ?? []).map(async (chunk) =>
        ChunkResult.fromJSON(
          JSON.parse(new TextDecoder().decode(await blobs.get(resultKey(summary.searchId, chunk.chunkIndex)))),
        ),
      ),
    );
    const merged = mergeChunkResults(results);
    const expected = await directGrep(EXAMPLE_PATTERN);
    expect(expected.length).toBeGreaterThan(50);
    expect(merged.matches).toEqual(expected);
    expect(merged.matchCount).toBe(expected.length);
    expect(run.stdout).toContain(`${expected.length} matching lines`);
    const first = expected[0];
    expect(run.stdout).toContain(`sample/access-2026-01-01.log:${first?.line}: `);
  } finally {
    await Promise.allSettled([blobs.close(), store.close()]);
  }
}

/** The scaler's part of an --autoscale run: it launched workers from zero, they all stopped, the lease is free. */
async function verifyScaler(store: Awaited<ReturnType<typeof openStatusStore>>, run: Run): Promise<void> {
  const launches = await store.scalerEvents({ lease: "scaler:grep", kinds: ["launch"] });
  expect(launches.length).toBeGreaterThanOrEqual(1);
  expect(run.stdout).toMatch(/The scaler:\n {2}launch: \+[1-3]: /);
  const fleetWorkers = (await store.workers()).filter((worker) => worker.instanceId.startsWith("local-"));
  expect(fleetWorkers.length).toBeGreaterThanOrEqual(1);
  expect(new Set(fleetWorkers.map((worker) => worker.status))).toEqual(new Set(["stopped"]));
  const lease = await store.lease("scaler:grep");
  expect(lease === undefined || lease.expiresAt <= Date.now()).toBe(true);
}

describe("GrepTheWeb on embedded defaults (npm start)", () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "grep-main-"));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it(
    "runs the search with 3 worker processes, exits 0 and leaves results equal to grep",
    async () => {
      const run = await runMain(cwd, []);
      const dataDir = join(cwd, ".data", "grep");
      await verifyRun(run, dataDir, `sqlite:${join(dataDir, "status.db")}`, `file:${join(dataDir, "blobs")}`);
      expect(run.stdout).toContain(`npx thrift-queue jobs --store 'sqlite:${join(dataDir, "status.db")}'`);
      expect(run.stdout).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/searches\//);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    "with --autoscale (what npm start runs) the scaler starts workers from zero and stops them; results equal grep",
    async () => {
      const dataDir = join(cwd, "autoscaled");
      const run = await runMain(cwd, ["--autoscale", "--data", dataDir]);
      await verifyRun(
        run,
        dataDir,
        `sqlite:${join(dataDir, "status.db")}`,
        `file:${join(dataDir, "blobs")}`,
        "autoscaled",
      );
      expect(run.stdout).toContain("curl -s http://127.0.0.1:");
      expect(run.stdout).toMatch(/\/v1\/scaler\n/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    "with --keep-running serves the web tier and the status API until SIGINT, then exits 0",
    async () => {
      const dataDir = join(cwd, "keep");
      const child = spawn(process.execPath, ["--import", HOOKS, MAIN, "--keep-running", "--data", dataDir], {
        cwd,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes("press Ctrl-C to stop")) resolve();
        });
        void exited.then(() => resolve());
      });
      const webUrl = /web tier +(\S+)\/v1\/searches/.exec(stdout)?.[1];
      const statusUrl = /status API +(\S+)\/v1\/jobs/.exec(stdout)?.[1];
      expect(webUrl).toBeDefined();
      expect(statusUrl).toBeDefined();

      const submitted = await postSearch(webUrl ?? "", { pattern: '" 50[0-9] ', documentSet: "sample" });
      const final = await waitForSearch(submitted.statusUrl, () => undefined, { timeoutMs: 60_000 });
      expect(final.state).toBe("succeeded");
      for (const job of submitted.jobs) {
        const answer = await fetch(`${statusUrl}/v1/jobs/${job.jobId}`);
        expect(await answer.json()).toMatchObject({ id: job.jobId, state: "succeeded", method: "matchChunk" });
      }
      const workers = (await (await fetch(`${statusUrl}/v1/workers`)).json()) as { workers: { status: string }[] };
      expect(workers.workers.map((worker) => worker.status)).toEqual(["running", "running", "running"]);

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      clearTimeout(timer);
      expect(stdout).toContain("workers exited with 0, 0, 0");
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    "finishes a chunk whose worker was SIGKILLed on another worker after the lease, and survives a hanging regex",
    async () => {
      const dataDir = join(cwd, "crash");
      // One line a*a*a*a*b backtracks on for hours: only the killable matcher thread ends each document (budget + 2 s).
      const blobs = new FolderBlobStore(join(dataDir, "blobs"));
      for (const name of ["one.log", "two.log"]) {
        await blobs.put(`documents/slow/${name}`, new TextEncoder().encode(`${"a".repeat(4000)}\n`));
      }
      const args = ["--keep-running", "--workers", "2", "--concurrency", "1", "--lease-ms", "1500", "--data", dataDir];
      const child = spawn(process.execPath, ["--import", HOOKS, MAIN, ...args], {
        cwd,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes("press Ctrl-C to stop")) resolve();
        });
        void exited.then(() => resolve());
      });
      const webUrl = /web tier +(\S+)\/v1\/searches/.exec(stdout)?.[1] ?? "";
      const statusUrl = /status API +(\S+)\/v1\/jobs/.exec(stdout)?.[1] ?? "";

      const submitted = await postSearch(webUrl, { pattern: "a*a*a*a*b", documentSet: "slow", documentsPerChunk: 1 });
      expect(submitted.jobs).toHaveLength(2);
      let victim: { chunkIndex: number; workerId: string } | undefined;
      for (let tries = 0; tries < 200 && victim === undefined; tries++) {
        const status = await getSearch(submitted.statusUrl, 0);
        const running = status.chunks.find((chunk) => chunk.state === "running" && chunk.workerId !== undefined);
        if (running) victim = { chunkIndex: running.chunkIndex, workerId: running.workerId ?? "" };
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(victim).toBeDefined();
      const workers = (await (await fetch(`${statusUrl}/v1/workers`)).json()) as {
        workers: { workerId: string; pid: number }[];
      };
      const pid = workers.workers.find((worker) => worker.workerId === victim?.workerId)?.pid;
      expect(pid).toBeGreaterThan(0);
      process.kill(pid ?? 0, "SIGKILL");

      const final = await waitForSearch(submitted.statusUrl, () => undefined, { timeoutMs: 60_000 });
      expect(final.state).toBe("succeeded");
      const redone = final.chunks.find((chunk) => chunk.chunkIndex === victim?.chunkIndex);
      expect(redone?.attempt).toBeGreaterThanOrEqual(2);
      expect(redone?.workerId).not.toBe(victim?.workerId);
      const results = (await getSearch(submitted.statusUrl)).results;
      expect(results).toMatchObject({
        matchCount: 0,
        documentsScanned: 2,
        truncatedDocuments: ["documents/slow/one.log", "documents/slow/two.log"],
      });

      child.kill("SIGINT");
      // One worker was killed: the orchestrator reports it and exits 1.
      expect(await exited).toBe(1);
      clearTimeout(timer);
      expect(stdout).toMatch(/workers exited with (null, 0|0, null)/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it("exits 1 when the web tier refuses the search, after stopping the workers", async () => {
    const run = await runMain(cwd, ["--pattern", "(", "--workers", "1", "--data", join(cwd, "refused")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("answered 400");
    expect(run.stderr).toContain("INVALID_REQUEST");
    expect(run.stdout).toContain("workers exited with 0");
  });

  it("refuses a bad flag with exit 2 and one line on stderr", async () => {
    const run = await runMain(cwd, ["--workers", "zero"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringContaining("--workers must be a whole number")]);
  });
});

/** The orchestrator writes its pid nowhere; the worker log file names carry it. */
async function orchestratorPid(dataDir: string): Promise<string> {
  const log = await readFile(join(dataDir, "worker-1.log"), "utf8");
  const match = /"workerId":"grep-worker-1-(\d+)"/.exec(log);
  return match?.[1] ?? "";
}

const amqp = await findAmqpBroker();
const postgresReason = await postgresUnavailable();

withAmqpBroker("GrepTheWeb over RabbitMQ + PostgreSQL", amqp, (broker) => {
  describe.skipIf(postgresReason !== undefined)("GrepTheWeb over RabbitMQ + PostgreSQL", () => {
    const schemas = new TestSchemas();
    let cwd: string;

    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "grep-amqp-"));
    });
    afterAll(async () => {
      await schemas.dropAll();
      await rm(cwd, { recursive: true, force: true });
    });

    it(
      "runs unchanged, with its scaler, with --transport amqp://… --store postgres://…",
      async () => {
        const queue = `grep-${randomUUID()}`;
        const separator = broker.url.includes("?") ? "&" : "?";
        const transport = `${broker.url}${separator}queue=${queue}`;
        const store = schemas.url();
        const dataDir = join(cwd, "data");
        const run = await runMain(cwd, ["--autoscale", "--transport", transport, "--store", store, "--data", dataDir]);
        await verifyRun(run, dataDir, store, `file:${join(dataDir, "blobs")}`, "autoscaled");
      },
      RUN_TIMEOUT_MS + 10_000,
    );
  });
});

describe("GrepTheWeb over SQS + S3 (fauxqs) + DynamoDB (dynalite)", () => {
  let fauxqs: Fauxqs;
  let dynalite: Dynalite;
  let cwd: string;

  beforeAll(async () => {
    fauxqs = await startTestFauxqs();
    dynalite = await startDynalite();
    await fauxqs.createBucket("grep-main");
    cwd = await mkdtemp(join(tmpdir(), "grep-aws-"));
  });
  afterAll(async () => {
    await fauxqs.stop();
    await dynalite.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it(
    "runs unchanged, with its scaler, with sqs://, dynamodb:// and s3:// URLs",
    async () => {
      const transport = `sqs://grep-${randomUUID()}?region=us-east-1&endpoint=${fauxqs.endpoint}&create=true`;
      const store = `dynamodb://${dynalite.freshTable()}?region=us-east-1&endpoint=${dynalite.endpoint}&create=true`;
      const blobs = `s3://grep-main/run?region=us-east-1&endpoint=${fauxqs.endpoint}`;
      const dataDir = join(cwd, "data");
      const env = {
        AWS_ACCESS_KEY_ID: FAUXQS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAUXQS_CREDENTIALS.secretAccessKey,
      };
      const run = await runMain(
        cwd,
        ["--autoscale", "--transport", transport, "--store", store, "--blobs", blobs, "--data", dataDir],
        env,
      );
      process.env["AWS_ACCESS_KEY_ID"] ??= env.AWS_ACCESS_KEY_ID;
      process.env["AWS_SECRET_ACCESS_KEY"] ??= env.AWS_SECRET_ACCESS_KEY;
      await verifyRun(run, dataDir, store, blobs, "autoscaled");
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
