/**
 * The local fleet's bookkeeping: one JSON file per worker process in a state folder, shared by every scaler on the
 * machine, so a new leader sees the processes the old one started. A file is created exclusively (`wx`), which is
 * what makes a launch idempotent per action: a second scaler replaying the same action finds the file and starts
 * nothing.
 */
import { mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** One worker process, as its file records it. */
export interface LocalInstanceFile {
  readonly id: string;
  /** Undefined for the moment between claiming the file and starting the process. */
  readonly pid: number | undefined;
  readonly launchedAt: number;
  readonly actionId: string;
  readonly fencingToken: number;
  readonly draining: boolean;
  readonly terminating: boolean;
}

const SUFFIX = ".instance.json";

/** The files of one state folder. */
export class LocalInstanceFiles {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  private path(id: string): string {
    return join(this.directory, `${id}${SUFFIX}`);
  }

  /** Creates the file for `record.id`; returns false when it exists (the action already launched it). */
  async claim(record: LocalInstanceFile): Promise<boolean> {
    await mkdir(this.directory, { recursive: true });
    try {
      const handle = await open(this.path(record.id), "wx");
      try {
        await handle.writeFile(JSON.stringify(record));
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }

  /** Replaces the file of `record.id`. */
  async write(record: LocalInstanceFile): Promise<void> {
    await writeFile(this.path(record.id), JSON.stringify(record));
  }

  async read(id: string): Promise<LocalInstanceFile | undefined> {
    try {
      return parseInstanceFile(await readFile(this.path(id), "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Every readable file; unreadable ones (a write under way, a stray file) are skipped. */
  async all(): Promise<LocalInstanceFile[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records = await Promise.all(
      names.filter((name) => name.endsWith(SUFFIX)).map((name) => this.read(name.slice(0, -SUFFIX.length))),
    );
    return records.filter((record): record is LocalInstanceFile => record !== undefined);
  }

  async remove(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }
}

function parseInstanceFile(text: string): LocalInstanceFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<LocalInstanceFile>;
    if (typeof value.id !== "string" || typeof value.launchedAt !== "number") return undefined;
    return {
      id: value.id,
      pid: typeof value.pid === "number" ? value.pid : undefined,
      launchedAt: value.launchedAt,
      actionId: typeof value.actionId === "string" ? value.actionId : "",
      fencingToken: typeof value.fencingToken === "number" ? value.fencingToken : 0,
      draining: value.draining === true,
      terminating: value.terminating === true,
    };
  } catch {
    return undefined;
  }
}
