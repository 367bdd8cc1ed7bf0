/**
 * `thrift-queue scaler`: grows and shrinks a worker fleet from the queue's backlog. Run one on every node; the one
 * holding the lease in the status store acts, the others stand by. Logs JSON lines on stderr; SIGTERM or SIGINT
 * gives the lease up (another scaler takes over at once) and exits 0.
 */
import { join } from "node:path";
import process from "node:process";
import { FLEET_KINDS, openFleet, type FleetKind } from "../../scaler/fleet/open-fleet.ts";
import { thriftQueuePolicy } from "../../scaler/policy/thrift-queue-policy.ts";
import { Scaler } from "../../scaler/scaler.ts";
import type { RetentionOptions } from "../../scaler/scaler-options.ts";
import type { CliCommand } from "../command.ts";
import { jsonLinesLogger, logLevel } from "../json-lines-logger.ts";
import { openCliStore } from "../open-cli-store.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { parseOptions, requireOption } from "../parse-options.ts";
import { firstStopSignal } from "../stop-signal.ts";
import { usageError } from "../usage-error.ts";
import { wholeNumber } from "./send.ts";

const USAGE = `Usage: thrift-queue scaler --transport <url> --store <url> --fleet local|ec2|asg
         [--name <fleet>] [--min N] [--max N] [--max-step N] [--target-wait s]
         [--concurrency-per-instance N] [--boot-delay s] [--lease-ttl s] [--tick s]
         [--scale-in-hold s] [--stale-after s] [--drain-timeout s]
         [--keep-jobs s] [--keep-workers s] [--scrub-every s]
         [--scaler-id id] [--once] [--log-level …]
         local: [--state-dir <dir>] -- <worker command…>
         ec2:   --launch-template <lt-id|name> [--launch-template-version v] [--region r] [--endpoint url]
                [-- <worker command…>]
         asg:   --group <name> [--lifecycle-hook <name>] [--region r] [--endpoint url]

Keeps the fleet sized so jobs wait at most --target-wait seconds (default 30) in the queue of --transport,
learning the time per job from the status store. Every scaler of a fleet (--name, default the queue) shares one
lease in --store: one leads, and a new one takes over within --lease-ttl seconds (default 20) when it stops.
Scale-in drains idle instances first (their workers stop taking jobs and finish what they run) and terminates
them only once idle; a small drop (one instance, or under a quarter of the fleet) waits --scale-in-hold seconds
(default 600) so a steady load does not flap. Unhealthy instances (no heartbeat for --stale-after seconds, default 60) are rebooted (ec2)
or replaced (asg, local). Every decision and action is recorded in the store: GET /v1/scaler of
"thrift-queue serve". The leader scrubs the store every --scrub-every seconds (default 3600, 0: never): final
jobs older than --keep-jobs (default 604800, 7 days), workers not seen for --keep-workers (default 86400) and
scaler events older than --keep-jobs. The local fleet starts the worker command with THRIFT_QUEUE_INSTANCE_ID
set, for example
  thrift-queue scaler --fleet local --transport sqlite:q.db?queue=jobs --store sqlite:status.db --max 4 \\
    -- npx thrift-queue worker --idl jobs.thrift --handlers ./handlers.ts --transport sqlite:q.db?queue=jobs \\
       --store sqlite:status.db
For ec2, the worker command after -- starts with an absolute path (/usr/bin/thrift-queue worker …) and leaves
--instance-id out: the user data adds it from the instance metadata. --once runs one tick, prints what it did as
JSON and exits. IAM permissions: docs/scaling-iam.md.`;

/** `thrift-queue scaler`. */
export const scalerCommand: CliCommand = {
  name: "scaler",
  summary: "grow and shrink a worker fleet from the queue's backlog",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      argv,
      {
        transport: { type: "string" },
        store: { type: "string" },
        fleet: { type: "string" },
        name: { type: "string" },
        min: { type: "string" },
        max: { type: "string" },
        "max-step": { type: "string" },
        "target-wait": { type: "string" },
        "concurrency-per-instance": { type: "string" },
        "boot-delay": { type: "string" },
        "lease-ttl": { type: "string" },
        tick: { type: "string" },
        "stale-after": { type: "string" },
        "drain-timeout": { type: "string" },
        "scale-in-hold": { type: "string" },
        "keep-jobs": { type: "string" },
        "keep-workers": { type: "string" },
        "scrub-every": { type: "string" },
        "scaler-id": { type: "string" },
        "state-dir": { type: "string" },
        "launch-template": { type: "string" },
        "launch-template-version": { type: "string" },
        region: { type: "string" },
        endpoint: { type: "string" },
        group: { type: "string" },
        "lifecycle-hook": { type: "string" },
        once: { type: "boolean" },
        "log-level": { type: "string" },
      },
      { allowPositionals: true },
    );
    const logger = jsonLinesLogger((line) => io.writeStderr(line), logLevel(values["log-level"]));
    const kind = fleetKind(requireOption(values.fleet, "fleet"));
    const given: Readonly<Record<string, string | boolean | undefined>> = values;
    const count = (name: string, fallback: number, min = 0): number => {
      const text = given[name];
      return wholeNumber(typeof text === "string" ? text : String(fallback), `--${name}`, min);
    };
    const seconds = (name: string, fallback: number, min = 0): number => count(name, fallback, min) * 1000;
    const min = count("min", 0);
    const max = count("max", 10, 1);
    if (min > max) throw usageError(`--min (${min}) must not exceed --max (${max})`);
    const limits = {
      min,
      max,
      maxStep: values["max-step"] === undefined ? Number.POSITIVE_INFINITY : count("max-step", 0, 1),
      targetWaitMs: seconds("target-wait", 30, 1),
    };
    const scrub = retention(seconds);
    const smallDropHoldMs = seconds("scale-in-hold", 600);
    if (kind === "local" && positionals.length === 0) throw usageError("the local fleet needs -- <worker command…>");
    const transportUrl = requireOption(values.transport, "transport");
    const transport = await openCliTransport(transportUrl);
    const store = await openCliStore(values.store, logger).catch(async (error: unknown) => {
      await transport.close();
      throw error;
    });
    try {
      const name = values.name ?? transport.queue;
      const fleet = await openFleet({
        kind,
        name,
        workerCommand: positionals,
        stateDirectory: values["state-dir"] ?? join(process.cwd(), ".thrift-queue", "fleet", name),
        ...definedOnly({
          launchTemplate: values["launch-template"],
          launchTemplateVersion: values["launch-template-version"],
          region: values.region,
          endpoint: values.endpoint,
          group: values.group,
          lifecycleHook: values["lifecycle-hook"],
        }),
        logger,
      });
      const scaler = new Scaler({
        store,
        transport,
        fleet,
        policy: thriftQueuePolicy(limits, { smallDropHoldMs }),
        name,
        logger,
        concurrencyPerInstance: count("concurrency-per-instance", 10, 1),
        bootDelayMs: seconds("boot-delay", kind === "local" ? 5 : 90),
        leaseTtlMs: seconds("lease-ttl", 20, 1),
        tickIntervalMs: seconds("tick", 5, 1),
        staleAfterMs: seconds("stale-after", 60, 1),
        drainTimeoutMs: seconds("drain-timeout", 3600),
        retention: scrub,
        ...(values["scaler-id"] === undefined ? {} : { scalerId: values["scaler-id"] }),
      });
      try {
        if (values.once === true) {
          const report = await scaler.tick();
          io.writeStdout(`${JSON.stringify({ scalerId: scaler.scalerId, ...report })}\n`);
          return 0;
        }
        logger.info({ scalerId: scaler.scalerId, lease: scaler.leaseName, fleet: kind, limits }, "scaler started");
        scaler.start();
        const signal = await firstStopSignal();
        logger.info({ signal }, "stopping: giving the lease up");
        return 0;
      } finally {
        await scaler.stop();
        await fleet.close();
      }
    } finally {
      await Promise.allSettled([transport.close({ drainTimeoutMs: 0 }), store.close()]);
    }
  },
};

/** The scrub schedule from --keep-jobs, --keep-workers and --scrub-every (0 turns scrubbing off). */
function retention(seconds: (name: string, fallback: number, min?: number) => number): RetentionOptions | false {
  const everyMs = seconds("scrub-every", 3600);
  if (everyMs === 0) return false;
  const jobsMs = seconds("keep-jobs", 604_800);
  return { everyMs, jobsMs, scalerEventsMs: jobsMs, workersMs: seconds("keep-workers", 86_400) };
}

function fleetKind(value: string): FleetKind {
  const kind = FLEET_KINDS.find((candidate) => candidate === value);
  if (kind === undefined)
    throw usageError(`--fleet must be one of ${FLEET_KINDS.join(", ")}, got ${JSON.stringify(value)}`);
  return kind;
}

function definedOnly<T extends Record<string, string | undefined>>(values: T): Partial<Record<keyof T, string>> {
  const defined: Partial<Record<keyof T, string>> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) defined[key as keyof T] = value;
  return defined;
}
