import type { CliIo } from "./cli-io.ts";

/** One CLI command: its name, a one-line summary, its usage text, and what it does. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Runs the command; returns the exit code. Throws ThriftQueueError for bad input (exit 2). */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
