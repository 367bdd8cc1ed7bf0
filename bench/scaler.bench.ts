/**
 * `npm run bench:scaler`: replays every trace of bench/scaler-cases.ts against the thrift-queue policy and the
 * three baselines (AWS target tracking, KEDA + HPA defaults, the 2008 rule) in the discrete-event simulator, prints
 * one table with PASS / NOT MET per target of issue 5, and writes bench/results/scaler.json as an array of rows
 * `{trace, policy, bootDelayS, sloAttainment, p99WaitS, costVsLowerBound, lateJobs, actions, flaps,
 * killedByScaleIn, …}`. Deterministic: the same seed gives the same table.
 *
 * Environment: BENCH_SEED (1), BENCH_TRACES (a comma-separated subset of trace names).
 */
import { mkdir, writeFile } from "node:fs/promises";
import process from "node:process";
import { createPolicy, policyNames } from "../src/scaler/policy/policy-registry.ts";
import { simulate } from "../src/scaler/simulation/simulator.ts";
import { CONCURRENCY, MAX_INSTANCES, type BenchCase, benchCases } from "./scaler-cases.ts";
import { formatTable, formatTargets } from "./scaler-table.ts";
import { type BenchRow, checkTargets } from "./scaler-targets.ts";

const SEED = Number(process.env.BENCH_SEED ?? 1);
const ONLY = process.env.BENCH_TRACES?.split(",").filter((name) => name !== "");
const RESULTS = new URL("./results/scaler.json", import.meta.url);

function runCase(benchCase: BenchCase, bootDelayMs: number): BenchRow[] {
  const limits = { min: 0, max: MAX_INSTANCES, maxStep: Infinity, targetWaitMs: benchCase.targetWaitMs };
  return policyNames.map((name) => {
    const policy = createPolicy(name, limits, { serviceTimeMs: benchCase.serviceTimeMs });
    const result = simulate({
      trace: benchCase.trace,
      policy,
      targetWaitMs: benchCase.targetWaitMs,
      bootDelayMs,
      concurrencyPerInstance: CONCURRENCY,
      maxInstances: MAX_INSTANCES,
      seed: SEED,
      initialInstances: benchCase.initialInstances,
      ...(benchCase.leaderCrashAtMs === undefined
        ? {}
        : { leaderCrash: { atMs: benchCase.leaderCrashAtMs, during: "decision" as const } }),
    });
    return { group: benchCase.group, ...result };
  });
}

function jsonRow(row: BenchRow): Record<string, unknown> {
  return {
    trace: row.trace,
    policy: row.policy,
    bootDelayS: row.bootDelayS,
    sloAttainment: row.sloAttainment,
    p99WaitS: row.p99WaitS,
    costVsLowerBound: row.costVsLowerBound,
    lateJobs: row.lateJobs,
    actions: row.actions,
    flaps: row.flaps,
    killedByScaleIn: row.killedByScaleIn,
    jobTimeS: row.jobTimeS,
    targetWaitS: row.targetWaitS,
    concurrencyPerInstance: row.concurrencyPerInstance,
    jobs: row.jobs,
    p50WaitS: row.p50WaitS,
    p95WaitS: row.p95WaitS,
    maxWaitS: row.maxWaitS,
    instanceSeconds: row.instanceSeconds,
    lowerBoundInstanceSeconds: row.lowerBoundInstanceSeconds,
    peakInstances: row.peakInstances,
    launches: row.launches,
    flapsPerHour: row.flapsPerHour,
    unfinishedJobs: row.unfinishedJobs,
    ...(row.failover === undefined ? {} : { failover: row.failover }),
  };
}

async function main(): Promise<void> {
  const cases = benchCases.filter((c) => ONLY === undefined || ONLY.includes(c.trace.name));
  console.log(
    `scaler bench: seed ${SEED}, ${CONCURRENCY} jobs per instance, fleet cap ${MAX_INSTANCES}, policies ${policyNames.join(", ")}`,
  );
  console.log("cases (trace: mean job time T, target wait W, boot delays run):");
  for (const c of cases)
    console.log(
      `  ${c.trace.name}: T ${c.serviceTimeMs / 1000} s, W ${c.targetWaitMs / 1000} s, boot ${c.bootDelaysMs.map((b) => b / 1000).join("/")} s`,
    );
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const benchCase of cases) {
    for (const boot of benchCase.bootDelaysMs) {
      const caseStart = performance.now();
      rows.push(...runCase(benchCase, boot));
      const seconds = ((performance.now() - caseStart) / 1000).toFixed(1);
      console.log(
        `  ran ${benchCase.trace.name} T ${benchCase.serviceTimeMs / 1000} s boot ${boot / 1000} s in ${seconds} s`,
      );
    }
  }
  console.log(`\nsimulated in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  console.log(formatTable(rows));
  console.log(
    "\ncost/LB: billed instance-seconds over the clairvoyant lower bound (docs/scaling.md, Simulation benchmark).",
  );
  console.log("targets (thrift-queue rows):");
  console.log(formatTargets(checkTargets(rows)));
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(rows.map(jsonRow), null, 2)}\n`);
  console.log(`\nwrote ${RESULTS.pathname}`);
}

await main();
