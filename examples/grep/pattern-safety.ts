/**
 * A guard against regular expressions that can backtrack catastrophically. JavaScript cannot interrupt a running
 * `RegExp.exec`, so the web tier refuses, before anything is queued, the shapes that cause exponential
 * backtracking: a quantified group that itself contains an unbounded quantifier or an alternation (`(a+)+`,
 * `(a|aa)*`, `(.*x){2,}`), and backreferences (`\1`, `\k<name>`). It is a heuristic — it also refuses some safe
 * patterns, and polynomial blow-ups (`.*.*.*x`) pass — so workers also bound the work: lines are matched on at
 * most their first {@link MAX_MATCHED_LINE_LENGTH} characters and each document has a time budget.
 */

/** Longest part of a line a pattern is run on. */
export const MAX_MATCHED_LINE_LENGTH = 4096;

/** Why a pattern is refused, or undefined when it passes. */
export function catastrophicShape(pattern: string): string | undefined {
  // One frame per open group: whether it holds an unbounded quantifier or an alternation.
  const groups: { risky: boolean }[] = [{ risky: false }];
  let closedRisky = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    const top = groups[groups.length - 1] as { risky: boolean };
    if (char === "\\") {
      const next = pattern[index + 1] ?? "";
      if (/[1-9]/.test(next) || (next === "k" && pattern[index + 2] === "<")) return "backreferences are not allowed";
      index++;
      closedRisky = false;
      continue;
    }
    if (char === "[") {
      index = endOfClass(pattern, index);
      closedRisky = false;
      continue;
    }
    if (char === "(") {
      groups.push({ risky: false });
      closedRisky = false;
      continue;
    }
    if (char === ")") {
      const closed = groups.length > 1 ? groups.pop() : undefined;
      closedRisky = closed?.risky ?? false;
      if (closedRisky) (groups[groups.length - 1] as { risky: boolean }).risky = true;
      continue;
    }
    const quantifier = quantifierAt(pattern, index);
    if (quantifier !== undefined) {
      if (closedRisky && quantifier.repeats) {
        return "a repeated group contains a repeat or an alternation (catastrophic backtracking)";
      }
      if (quantifier.unbounded) top.risky = true;
      index = quantifier.end;
      closedRisky = false;
      continue;
    }
    if (char === "|") top.risky = true;
    closedRisky = false;
  }
  return undefined;
}

/** The index of the `]` closing the class opened at `start` (escapes inside skipped). */
function endOfClass(pattern: string, start: number): number {
  for (let index = start + 1; index < pattern.length; index++) {
    if (pattern[index] === "\\") index++;
    else if (pattern[index] === "]" && index > start + 1) return index;
  }
  return pattern.length;
}

/** The quantifier at `index`: whether it repeats more than once and whether it is unbounded; `end` is its last index. */
function quantifierAt(
  pattern: string,
  index: number,
): { repeats: boolean; unbounded: boolean; end: number } | undefined {
  const char = pattern[index];
  const lazy = (end: number): number => (pattern[end + 1] === "?" ? end + 1 : end);
  if (char === "*" || char === "+") return { repeats: true, unbounded: true, end: lazy(index) };
  if (char === "?") return { repeats: false, unbounded: false, end: lazy(index) };
  if (char !== "{") return undefined;
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
  if (!braces) return undefined;
  const min = Number(braces[1]);
  const max = braces[2] === undefined ? min : braces[3] === "" ? Infinity : Number(braces[3]);
  return { repeats: max > 1, unbounded: max === Infinity || max > 10, end: lazy(index + braces[0].length - 1) };
}
