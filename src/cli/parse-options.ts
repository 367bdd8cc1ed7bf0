import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ProtocolName } from "../codec/protocol.ts";
import { usageError } from "./usage-error.ts";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Parses argv strictly; unknown options and missing values become usage errors that name the option. */
export function parseOptions<T extends OptionSpec>(argv: readonly string[], options: T, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw usageError(`${message ?? "invalid arguments"}\n${usage}`);
  }
}

/** Validates `--protocol`. */
export function protocolOption(value: string | undefined): ProtocolName {
  if (value === undefined || value === "binary") return "binary";
  if (value === "compact") return "compact";
  throw usageError(`--protocol must be "binary" or "compact", got ${JSON.stringify(value)}`);
}

/** Returns a required string option or throws a usage error naming it. */
export function requireOption(value: string | undefined, name: string, usage: string): string {
  if (value === undefined || value === "") throw usageError(`missing --${name}\n${usage}`);
  return value;
}

/** The `-I` / `--include-dir` option shared by every command that reads IDL. */
export const INCLUDE_DIR_OPTION = { "include-dir": { type: "string", short: "I", multiple: true } } as const;
