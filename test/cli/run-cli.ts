/** Runs the CLI in-process with fake streams, and the assertions every bad-input case shares. */
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.ts";
import { main } from "../../src/cli/main.ts";

/** What one CLI run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly stderr: string;
}

/** Absolute path of a file in test/cli/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/** Absolute path of a file relative to the repository root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** The CLI tests' main schema (every JSON mapping rule; includes billing.thrift). */
export const MAPPING_IDL = fixture("mapping.thrift");

/** Runs `thrift-queue <argv>` with `stdin` (text is UTF-8 encoded) and captures its output and exit code. */
export async function runCli(argv: readonly string[], stdin: string | Uint8Array = ""): Promise<CliRun> {
  const chunks: Uint8Array[] = [];
  let stderr = "";
  const io: CliIo = {
    readStdin: () => Promise.resolve(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin),
    writeStdout: (chunk) => chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk.slice()),
    writeStderr: (text) => {
      stderr += text;
    },
  };
  const code = await main(argv, io);
  return { code, stdout: concat(chunks), stderr };
}

/** stdout as UTF-8 text. */
export function stdoutText(run: CliRun): string {
  return new TextDecoder().decode(run.stdout);
}

/** Expects success with nothing on stderr, and returns stdout parsed as JSON. */
export function expectJson(run: CliRun): unknown {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(stdoutText(run)) as unknown;
}

/** Expects success with nothing on stderr, and returns the bytes written. */
export function expectBytes(run: CliRun): Uint8Array {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  return run.stdout;
}

/**
 * Expects the bad-input outcome: exit code 2, nothing on stdout, exactly one line on stderr. `expected` is the
 * whole line without its newline (a string) or a pattern it must match. Returns the line.
 */
export function expectBadInput(run: CliRun, expected: string | RegExp): string {
  const line = run.stderr.endsWith("\n") ? run.stderr.slice(0, -1) : run.stderr;
  expect({ code: run.code, stdoutBytes: run.stdout.length, newlineAtEnd: run.stderr.endsWith("\n") }).toEqual({
    code: 2,
    stdoutBytes: 0,
    newlineAtEnd: true,
  });
  expect(line).not.toMatch(/[\r\n]/);
  if (typeof expected === "string") expect(line).toBe(expected);
  else expect(line).toMatch(expected);
  return line;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
