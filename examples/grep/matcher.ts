/** Line-by-line matching of one document, within a time budget and an abort signal (pure, no I/O). */
import type { LineMatch } from "./gen/grep.ts";
import { MAX_MATCHED_LINE_LENGTH } from "./pattern-safety.ts";

/** Longest line text kept in a match. */
export const MAX_MATCH_TEXT_LENGTH = 500;
/** The budget and the signal are checked every this many lines. */
const CHECK_EVERY_LINES = 256;

/** Options of {@link matchDocument}. */
export interface MatchOptions {
  /** Stop (throw the signal's reason) when it aborts. */
  readonly signal?: AbortSignal;
  /** Stop scanning the document after this many ms. @defaultValue Infinity */
  readonly budgetMs?: number;
  /** Keep at most this many matches (the rest are only counted). @defaultValue Infinity */
  readonly maxMatches?: number;
  /** @defaultValue performance.now */
  readonly now?: () => number;
}

/** What one document gave. */
export interface DocumentMatches {
  readonly matches: LineMatch[];
  /** Every matching line, including those over `maxMatches`. */
  readonly matchCount: number;
  readonly linesScanned: number;
  /** Whether the scan stopped at the time budget. */
  readonly truncated: boolean;
}

/** Compiles a validated pattern for line matching (never `g`/`y`, so `test` keeps no state). */
export function linePattern(pattern: string, flags: string): RegExp {
  return new RegExp(pattern, flags.replace(/[gy]/g, ""));
}

/** The lines of a text: split on `\n`, a trailing `\r` removed, no empty last line after a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

/** Matches `regex` against each line of `text`, as grep does (1-based line numbers). */
export function matchDocument(
  document: string,
  text: string,
  regex: RegExp,
  options: MatchOptions = {},
): DocumentMatches {
  const now = options.now ?? (() => performance.now());
  const budgetMs = options.budgetMs ?? Infinity;
  const maxMatches = options.maxMatches ?? Infinity;
  const started = now();
  const lines = splitLines(text);
  const matches: LineMatch[] = [];
  let matchCount = 0;
  for (let index = 0; index < lines.length; index++) {
    if (index % CHECK_EVERY_LINES === 0 && index > 0) {
      options.signal?.throwIfAborted();
      if (now() - started > budgetMs) return { matches, matchCount, linesScanned: index, truncated: true };
    }
    const line = lines[index] as string;
    if (!regex.test(line.length > MAX_MATCHED_LINE_LENGTH ? line.slice(0, MAX_MATCHED_LINE_LENGTH) : line)) continue;
    matchCount++;
    if (matches.length < maxMatches) {
      matches.push({ document, line: index + 1, text: line.slice(0, MAX_MATCH_TEXT_LENGTH) });
    }
  }
  return { matches, matchCount, linesScanned: lines.length, truncated: false };
}
