import { CodecError, ConfigError, GeneratorError, ThriftQueueError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { processIo, type CliIo } from "./cli-io.ts";
import type { CliCommand } from "./command.ts";
import { decodeCommand } from "./commands/decode.ts";
import { encodeCommand } from "./commands/encode.ts";
import { genCommand } from "./commands/gen.ts";
import { queuesCommand } from "./commands/queues.ts";
import { recvCommand } from "./commands/recv.ts";
import { sendCommand } from "./commands/send.ts";
import { workerCommand } from "./commands/worker.ts";
import { scalerCommand } from "./commands/scaler.ts";
import { jobsCommand } from "./commands/jobs.ts";
import { serveCommand } from "./commands/serve.ts";
import { statusCommand } from "./commands/status.ts";
import { workersCommand } from "./commands/workers.ts";

const COMMANDS: readonly CliCommand[] = [
  genCommand,
  encodeCommand,
  decodeCommand,
  sendCommand,
  recvCommand,
  queuesCommand,
  workerCommand,
  scalerCommand,
  serveCommand,
  statusCommand,
  jobsCommand,
  workersCommand,
];

/** Exit code for bad input or usage: nothing was written to stdout, and one line to stderr. */
export const EXIT_BAD_INPUT = 2;
/** Exit code for an unexpected internal failure. */
export const EXIT_INTERNAL = 70;

/** Longest path or message part printed in full; a 1000-level path or a megabyte map key is cut in the middle. */
const MAX_PART_LENGTH = 240;

/** Runs the CLI with `argv` (without node and script); returns the exit code and never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A usage error like any other: one line on stderr, stdout stays empty.
    io.writeStderr("thrift-queue: no command given; run `thrift-queue help`\n");
    return EXIT_BAD_INPUT;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    io.writeStdout(helpText());
    return 0;
  }
  if (name === "--version" || name === "version") {
    io.writeStdout(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.writeStderr(`thrift-queue: unknown command ${JSON.stringify(name)}; run \`thrift-queue help\`\n`);
    return EXIT_BAD_INPUT;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.writeStdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.writeStderr(`${errorLine(command, error)}\n`);
    return error instanceof ThriftQueueError ? EXIT_BAD_INPUT : EXIT_INTERNAL;
  }
}

/** One line per error: generator errors start with `file:line:col:`, codec errors with their field path. */
function errorLine(command: CliCommand, error: unknown): string {
  if (error instanceof GeneratorError && error.location !== undefined) return oneLine(error.message);
  if (error instanceof CodecError && error.path !== "") {
    return `thrift-queue: ${shorten(error.path)}: ${shorten(oneLine(error.detail))}`;
  }
  if (error instanceof ConfigError && error.code === "CONFIG_USAGE") {
    return `thrift-queue ${command.name}: ${shorten(oneLine(error.message))}; see \`thrift-queue ${command.name} --help\``;
  }
  if (error instanceof ThriftQueueError) return `thrift-queue: ${shorten(oneLine(error.message))}`;
  const message = error instanceof Error ? error.message : String(error);
  return `thrift-queue: internal error: ${shorten(oneLine(message))}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]\s*/g, "; ");
}

/** Keeps both ends of an overlong text: the start locates the problem, the end names it. */
function shorten(text: string): string {
  if (text.length <= MAX_PART_LENGTH) return text;
  const keep = MAX_PART_LENGTH / 2;
  return `${text.slice(0, keep)}…(${text.length - 2 * keep} characters cut)…${text.slice(-keep)}`;
}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `thrift-queue ${VERSION}: typed RPC over message queues with Apache Thrift IDL\n\nUsage: thrift-queue <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`thrift-queue <command> --help\` for a command's options.\n`;
}
