/** The console table of `npm run bench:scaler`. */
import type { BenchRow, TargetVerdict } from "./scaler-targets.ts";

interface Column {
  readonly title: string;
  readonly value: (row: BenchRow) => string;
  readonly left?: boolean;
}

const seconds = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

const COLUMNS: readonly Column[] = [
  { title: "trace", value: (r) => r.trace, left: true },
  { title: "T s", value: (r) => String(r.jobTimeS) },
  { title: "W s", value: (r) => String(r.targetWaitS) },
  { title: "boot s", value: (r) => String(r.bootDelayS) },
  { title: "policy", value: (r) => r.policy, left: true },
  { title: "jobs", value: (r) => String(r.jobs) },
  { title: "≤W %", value: (r) => (r.sloAttainment * 100).toFixed(2) },
  { title: "p50 s", value: (r) => seconds(r.p50WaitS) },
  { title: "p99 s", value: (r) => seconds(r.p99WaitS) },
  { title: "max s", value: (r) => seconds(r.maxWaitS) },
  { title: "late", value: (r) => String(r.lateJobs) },
  { title: "cost/LB", value: (r) => r.costVsLowerBound.toFixed(3) },
  { title: "inst-h", value: (r) => (r.instanceSeconds / 3600).toFixed(0) },
  { title: "peak", value: (r) => String(r.peakInstances) },
  { title: "actions", value: (r) => String(r.actions) },
  { title: "flaps", value: (r) => String(r.flaps) },
  { title: "killed", value: (r) => String(r.killedByScaleIn) },
];

/** The rows as an aligned text table, a rule between cases. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => column.value(row)));
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.title.length, ...cells.map((line) => line[index]!.length)),
  );
  const render = (line: readonly string[]): string =>
    line
      .map((cell, index) => (COLUMNS[index]!.left ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join("  ");
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  const out = [render(COLUMNS.map((column) => column.title)), rule];
  let previous = "";
  rows.forEach((row, index) => {
    const key = `${row.trace}|${row.jobTimeS}|${row.targetWaitS}|${row.bootDelayS}`;
    if (previous !== "" && key !== previous) out.push("");
    previous = key;
    out.push(render(cells[index]!));
  });
  return out.join("\n");
}

/** The footer: one PASS / NOT MET line per target. */
export function formatTargets(verdicts: readonly TargetVerdict[]): string {
  return verdicts.map((v) => `${v.status.padEnd(7)}  ${v.target} — ${v.detail}`).join("\n");
}
