/** A `thrift-queue worker` child process for the real-process tests: its JSON-lines logs and its handlers' runs. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root, where the CLI runs. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const COMPILED_MAIN = join(REPO_ROOT, "dist/cli/main.js");

/** One line of the handlers' runs file (see fixtures/worker-cli/thumbnails-handlers.ts). */
export interface Run {
  readonly event: "started" | "done";
  readonly imageId: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly pid: number;
}

/** One JSON log line from the worker's stderr. */
export type LogLine = Readonly<Record<string, unknown>>;

/** Compiles src/ to dist/ (what bin/thrift-queue.js runs) unless dist is newer than every source. */
export function ensureBuilt(): void {
  if (existsSync(COMPILED_MAIN) && statSync(COMPILED_MAIN).mtimeMs >= newestSource(join(REPO_ROOT, "src"))) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  // tsc emits even when an unrelated file has a type error; only a missing output fails.
  const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (!existsSync(COMPILED_MAIN)) throw new Error(`the build produced no dist/cli/main.js:\n${build.stdout}`);
}

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Polls `check` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `node bin/thrift-queue.js worker <argv>` with `env` added to the environment. */
export class WorkerCli {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly logLines: LogLine[] = [];
  private readonly runsFile: string;
  private stderr = "";

  constructor(argv: readonly string[], env: Readonly<Record<string, string>>, runsFile: string) {
    this.runsFile = runsFile;
    this.child = spawn(process.execPath, ["bin/thrift-queue.js", "worker", ...argv], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let partial = "";
    this.child.stderr!.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8");
      this.stderr += chunk.toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("{")) this.logLines.push(JSON.parse(line) as LogLine);
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The exit code, null while running. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** The JSON log lines so far. */
  logs(): readonly LogLine[] {
    return this.logLines;
  }

  /** Every handler run recorded in the shared runs file (by any worker process). */
  runs(): readonly Run[] {
    if (!existsSync(this.runsFile)) return [];
    const lines = readFileSync(this.runsFile, "utf8").split("\n");
    return lines.filter((line) => line !== "").map((line) => JSON.parse(line) as Run);
  }

  /** Resolves once the worker logged "worker started". */
  started(timeoutMs = 20_000): Promise<LogLine> {
    return this.waitForLog((line) => line["msg"] === "worker started", timeoutMs);
  }

  /** Resolves with the first log line matching `predicate`. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    await waitUntil(
      () => this.logLines.some(predicate) || this.child.exitCode !== null,
      timeoutMs,
      `a log line; stderr so far: ${this.stderr}`,
    );
    const found = this.logLines.find(predicate);
    if (found === undefined) throw new Error(`the worker exited (${this.child.exitCode}); stderr: ${this.stderr}`);
    return found;
  }

  /** Resolves with the first run of this process matching `predicate`. */
  async waitForRun(predicate: (run: Run) => boolean, timeoutMs = 20_000): Promise<Run> {
    const mine = (): Run | undefined => this.runs().find((run) => run.pid === this.pid && predicate(run));
    await waitUntil(() => mine() !== undefined, timeoutMs, `a handler run; stderr so far: ${this.stderr}`);
    return mine()!;
  }

  /** Sends `signal` to the process (ignored once it exited). */
  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
