import { ConfigError } from "../errors.ts";

/** Bad command-line usage: the CLI prints the message and exits 2. */
export function usageError(message: string): ConfigError {
  return new ConfigError("CONFIG_USAGE", message);
}
