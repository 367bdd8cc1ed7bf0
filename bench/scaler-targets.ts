/**
 * The targets of issue 5, checked on the bench rows. Every target prints PASS or NOT MET with the rows that
 * decide it, so a miss is never hidden.
 */
import type { SimulationResult } from "../src/scaler/simulation/simulation-types.ts";
import type { TraceGroup } from "./scaler-cases.ts";

/** A bench row: one trace × parameters × policy. */
export interface BenchRow extends SimulationResult {
  readonly group: TraceGroup;
}

/** One target's verdict. */
export interface TargetVerdict {
  readonly target: string;
  /** NOT RUN when a subset of traces (BENCH_TRACES) left the target without rows. */
  readonly status: "PASS" | "NOT MET" | "NOT RUN";
  readonly detail: string;
}

const OURS = "thrift-queue";

/** The key that pairs rows run on the same jobs with the same parameters. */
export function caseKey(row: SimulationResult): string {
  return `${row.trace} T=${row.jobTimeS}s W=${row.targetWaitS}s boot=${row.bootDelayS}s`;
}

function verdict(
  target: string,
  rows: readonly BenchRow[],
  passes: (row: BenchRow) => boolean,
  show: (row: BenchRow) => string,
): TargetVerdict {
  const misses = rows.filter((row) => !passes(row));
  const detail =
    misses.length === 0
      ? `${rows.length}/${rows.length} rows${rows.length <= 3 ? ` (${rows.map(show).join("; ")})` : ""}`
      : `${rows.length - misses.length}/${rows.length} rows; missed: ${misses.map((row) => `${caseKey(row)} ${show(row)}`).join("; ")}`;
  const status = rows.length === 0 ? "NOT RUN" : misses.length === 0 ? "PASS" : "NOT MET";
  return { target, status, detail: rows.length === 0 ? "no rows in this run" : detail };
}

const percent = (value: number): string => `${(value * 100).toFixed(2)}%`;

/** Checks every target on the rows of one bench run. */
export function checkTargets(rows: readonly BenchRow[]): TargetVerdict[] {
  const ours = rows.filter((row) => row.policy === OURS);
  const of = (...groups: TraceGroup[]): BenchRow[] => ours.filter((row) => groups.includes(row.group));
  const aws = new Map(rows.filter((row) => row.policy === "aws-target-tracking").map((row) => [caseKey(row), row]));
  const steady = ours.filter((row) => row.trace.startsWith("heavy-") || row.group === "leader-crash");
  const crash = of("leader-crash");
  return [
    verdict(
      "≥ 99% of jobs within W (diurnal, Poisson)",
      of("diurnal", "poisson"),
      (r) => r.sloAttainment >= 0.99,
      (r) => percent(r.sloAttainment),
    ),
    verdict(
      "cost ≤ 1.15× lower bound (diurnal, Poisson)",
      of("diurnal", "poisson"),
      (r) => r.costVsLowerBound <= 1.15,
      (r) => `${r.costVsLowerBound.toFixed(2)}×`,
    ),
    verdict(
      "cost ≤ 1.3× lower bound (step, heavy tail)",
      of("step", "heavy-tail"),
      (r) => r.costVsLowerBound <= 1.3,
      (r) => `${r.costVsLowerBound.toFixed(2)}×`,
    ),
    verdict(
      "vs AWS: ≥ 30% fewer instance-s at ≥ SLO, or ≥ 50% fewer late jobs at ≤ cost",
      ours,
      (r) => beatsAws(r, aws.get(caseKey(r))),
      (r) => awsComparison(r, aws.get(caseKey(r))),
    ),
    verdict(
      "zero jobs killed by scale-in",
      ours,
      (r) => r.killedByScaleIn === 0,
      (r) => `${r.killedByScaleIn} killed`,
    ),
    verdict(
      "≤ 1 flap per hour at steady load (constant-rate traces)",
      steady,
      (r) => r.flapsPerHour <= 1,
      (r) => `${r.flapsPerHour.toFixed(2)}/h`,
    ),
    verdict(
      "leader failover ≤ 30 s, no duplicate launch",
      crash,
      (r) => r.failover !== undefined && r.failover.failoverS <= 30 && r.failover.duplicateLaunches === 0,
      (r) => `failover ${r.failover?.failoverS ?? "?"} s, ${r.failover?.duplicateLaunches ?? "?"} duplicates`,
    ),
  ];
}

function beatsAws(ours: BenchRow, aws: BenchRow | undefined): boolean {
  if (aws === undefined) return false;
  const cheaper = ours.instanceSeconds <= 0.7 * aws.instanceSeconds && ours.sloAttainment >= aws.sloAttainment;
  const fewerLate = ours.lateJobs <= 0.5 * aws.lateJobs && ours.instanceSeconds <= aws.instanceSeconds;
  return cheaper || fewerLate;
}

function awsComparison(ours: BenchRow, aws: BenchRow | undefined): string {
  if (aws === undefined) return "no AWS row";
  const saving = 1 - ours.instanceSeconds / aws.instanceSeconds;
  return `instance-s ${saving >= 0 ? "−" : "+"}${Math.abs(saving * 100).toFixed(0)}%, SLO ${percent(ours.sloAttainment)} vs ${percent(aws.sloAttainment)}, late ${ours.lateJobs} vs ${aws.lateJobs}`;
}
