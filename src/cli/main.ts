import { GeneratorError, ThriftQueueError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { processIo, type CliIo } from "./cli-io.ts";
import type { CliCommand } from "./command.ts";
import { decodeCommand } from "./commands/decode.ts";
import { encodeCommand } from "./commands/encode.ts";
import { genCommand } from "./commands/gen.ts";

const COMMANDS: readonly CliCommand[] = [genCommand, encodeCommand, decodeCommand];

/** Exit code for bad input or usage: nothing was written to stdout. */
export const EXIT_BAD_INPUT = 2;
/** Exit code for an unexpected internal failure. */
export const EXIT_INTERNAL = 70;

/** Runs the CLI with `argv` (without node and script); returns the exit code and never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.writeStdout(helpText());
    return name === undefined ? EXIT_BAD_INPUT : 0;
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
    io.writeStderr(`${errorLine(error)}\n`);
    return error instanceof ThriftQueueError ? EXIT_BAD_INPUT : EXIT_INTERNAL;
  }
}

/** One line per error: generator errors carry `file:line:col:`, codec errors their field path. */
function errorLine(error: unknown): string {
  if (error instanceof GeneratorError) return error.message;
  if (error instanceof ThriftQueueError) return `thrift-queue: ${oneLine(error.message)}`;
  const message = error instanceof Error ? error.message : String(error);
  return `thrift-queue: internal error: ${oneLine(message)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ");
}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `thrift-queue ${VERSION}: typed RPC over message queues with Apache Thrift IDL\n\nUsage: thrift-queue <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`thrift-queue <command> --help\` for a command's options.\n`;
}
