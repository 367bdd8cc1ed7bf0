/**
 * Aligned text for the commands that print records for people (`status`, `jobs`, `workers`). Values come from a
 * shared store, so control characters are escaped before they reach a terminal.
 */

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(printable));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const lines = cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n`;
}

/** `label  value` lines, labels padded to the longest. */
export function labelledLines(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${printable(value)}`.trimEnd()).join("\n") + "\n";
}

/** The text with control characters (newlines, escapes, C1 codes) shown as `\u001b`-style escapes. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** An RFC 3339 time, or `-` when unknown. */
export function timeText(time: string | null): string {
  return time ?? "-";
}

/** How long ago, for people: `850ms`, `12s`, `3m 4s`, `2h 5m`, `3d 4h`. */
export function agoText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms ago`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m ago`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h ago`;
}
