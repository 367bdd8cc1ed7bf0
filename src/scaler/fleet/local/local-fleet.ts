/**
 * The `local` fleet: worker processes on this machine, the embedded default. Each instance is one process started
 * from a command (for example `thrift-queue worker --idl … --handlers … --transport … --store …`) with
 * `THRIFT_QUEUE_INSTANCE_ID` in its environment; the worker uses it as its instance id in heartbeats and watches
 * for drain requests under it. Processes are detached: they outlive the scaler that started them, and any scaler
 * on the machine sharing the state folder manages them.
 */
import { spawn } from "node:child_process";
import { openSync, closeSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ScalerError } from "../../../errors.ts";
import type { Fleet, FleetAction, FleetInstance } from "../fleet.ts";
import { LocalInstanceFiles, type LocalInstanceFile } from "./local-instance-files.ts";

/** Options of {@link LocalFleet}. */
export interface LocalFleetOptions {
  /** The worker command: the program and its arguments. */
  readonly command: readonly string[];
  /** Where instance files (and, by default, worker logs) live; shared by the scalers of this machine. */
  readonly stateDirectory: string;
  /** Worker logs (stdout and stderr, one file per instance). @defaultValue `<stateDirectory>/logs` */
  readonly logDirectory?: string;
  /** @defaultValue process.cwd() */
  readonly cwd?: string;
  /** Added to the scaler's environment. @defaultValue {} */
  readonly env?: Readonly<Record<string, string>>;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}

/** The environment variable that carries a local instance's id to its worker. */
export const INSTANCE_ID_ENV = "THRIFT_QUEUE_INSTANCE_ID";

/** Worker processes on this machine. */
export class LocalFleet implements Fleet {
  readonly kind = "local";
  private readonly options: LocalFleetOptions;
  private readonly files: LocalInstanceFiles;
  private readonly now: () => number;

  constructor(options: LocalFleetOptions) {
    if (options.command.length === 0 || options.command[0] === "") {
      throw new ScalerError("SCALER_CONFIG", "the local fleet needs a worker command");
    }
    this.options = options;
    this.files = new LocalInstanceFiles(options.stateDirectory);
    this.now = options.now ?? Date.now;
  }

  async list(): Promise<readonly FleetInstance[]> {
    const instances: FleetInstance[] = [];
    for (const file of await this.files.all()) {
      if (file.pid === undefined) {
        // Claimed and not started: a launch under way, or one that died before spawning (then it is stale).
        if (this.now() - file.launchedAt > 60_000) await this.files.remove(file.id);
        else instances.push({ id: file.id, phase: "booting", launchedAt: file.launchedAt });
        continue;
      }
      if (!isAlive(file.pid)) {
        await this.files.remove(file.id);
        continue;
      }
      const phase = file.terminating ? "terminating" : file.draining ? "draining" : "running";
      instances.push({ id: file.id, phase, launchedAt: file.launchedAt });
    }
    return instances.sort((a, b) => a.launchedAt - b.launchedAt || a.id.localeCompare(b.id));
  }

  async launch(count: number, action: FleetAction): Promise<readonly FleetInstance[]> {
    const launched: FleetInstance[] = [];
    for (let index = 0; index < count; index++) {
      const id = `local-${action.id}-${index}`;
      const record: LocalInstanceFile = {
        id,
        pid: undefined,
        launchedAt: this.now(),
        actionId: action.id,
        fencingToken: action.fencingToken,
        draining: false,
        terminating: false,
      };
      if (!(await this.files.claim(record))) continue;
      const pid = this.spawnWorker(id);
      await this.files.write({ ...record, pid });
      launched.push({ id, phase: "booting", launchedAt: record.launchedAt });
    }
    return launched;
  }

  /** Marks the instances draining (their workers learn it from the drain request in the status store). */
  async drain(instanceIds: readonly string[], _action?: FleetAction): Promise<void> {
    await this.update(instanceIds, (file) => (file.draining ? undefined : { ...file, draining: true }));
  }

  /** SIGTERM to each process (it drains and exits); the instance leaves the list once the process is gone. */
  async terminate(instanceIds: readonly string[], _action?: FleetAction): Promise<void> {
    await this.update(instanceIds, (file) => {
      if (file.pid !== undefined && isAlive(file.pid)) signal(file.pid, "SIGTERM");
      return { ...file, terminating: true };
    });
  }

  /** Replaces the process: the unhealthy one is killed and a new one starts under the same instance id. */
  async recover(instanceId: string, _action?: FleetAction): Promise<void> {
    const file = await this.files.read(instanceId);
    if (file === undefined) return;
    if (file.pid !== undefined && isAlive(file.pid)) signal(file.pid, "SIGKILL");
    const pid = this.spawnWorker(instanceId);
    await this.files.write({ ...file, pid, launchedAt: this.now(), draining: false, terminating: false });
  }

  async close(): Promise<void> {
    // The worker processes are detached on purpose: they outlive this scaler.
  }

  private async update(
    instanceIds: readonly string[],
    change: (file: LocalInstanceFile) => LocalInstanceFile | undefined,
  ): Promise<void> {
    for (const id of instanceIds) {
      const file = await this.files.read(id);
      if (file === undefined) continue;
      const changed = change(file);
      if (changed !== undefined) await this.files.write(changed);
    }
  }

  private spawnWorker(instanceId: string): number {
    const logDirectory = this.options.logDirectory ?? join(this.options.stateDirectory, "logs");
    mkdirSync(logDirectory, { recursive: true });
    const log = openSync(join(logDirectory, `${instanceId}.log`), "a");
    try {
      const [program, ...args] = this.options.command as [string, ...string[]];
      const child = spawn(program, args, {
        cwd: this.options.cwd ?? process.cwd(),
        env: { ...process.env, ...this.options.env, [INSTANCE_ID_ENV]: instanceId },
        stdio: ["ignore", log, log],
        detached: true,
      });
      child.on("error", () => undefined);
      child.unref();
      if (child.pid === undefined) {
        throw new ScalerError("SCALER_FLEET_FAILED", `could not start the worker command ${program}`);
      }
      return child.pid;
    } finally {
      closeSync(log);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already: nothing to stop.
  }
}
