import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ProtocolName } from "../codec/protocol.ts";
import { usageError } from "./usage-error.ts";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** What a command accepts besides its options. */
export interface ParseOptionsSettings {
  /** Whether arguments that are not options (gen's IDL files) are accepted. @defaultValue false */
  allowPositionals?: boolean;
}

/** Parses argv strictly; unknown options, missing values and stray arguments become one-line usage errors. */
export function parseOptions<T extends OptionSpec>(
  argv: readonly string[],
  options: T,
  settings: ParseOptionsSettings = {},
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(parseArgsMessage(error));
  }
  const [stray] = parsed.positionals;
  if (settings.allowPositionals !== true && stray !== undefined)
    throw usageError(`unexpected argument ${JSON.stringify(stray)}`);
  return parsed;
}

/** Node's parseArgs messages, shortened to what the user needs to fix. */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  // "argument missing", or "ambiguous" when the next word starts with a dash (`--idl --type X`).
  const missing = /^Option '(?:-\w, )?(\S+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message);
  if (missing) return `missing value for ${missing[1]}`;
  const flag = /^Option '(\S+)' does not take an argument/.exec(message);
  if (flag) return `${flag[1]} takes no value`;
  return message === "" ? "invalid arguments" : message;
}

/** Validates `--protocol`. */
export function protocolOption(value: string | undefined): ProtocolName {
  if (value === undefined || value === "binary") return "binary";
  if (value === "compact") return "compact";
  throw usageError(`--protocol must be "binary" or "compact", got ${JSON.stringify(value)}`);
}

/** Returns a required string option or throws a usage error naming it. */
export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw usageError(`missing --${name}`);
  return value;
}

/** Throws a usage error unless exactly one of two options is given. */
export function requireOneOf(values: Readonly<Record<string, unknown>>, first: string, second: string): void {
  if ((values[first] === undefined) === (values[second] === undefined)) {
    throw usageError(`give exactly one of --${first} or --${second}`);
  }
}

/** The `-I` / `--include-dir` option shared by every command that reads IDL. */
export const INCLUDE_DIR_OPTION = { "include-dir": { type: "string", short: "I", multiple: true } } as const;
