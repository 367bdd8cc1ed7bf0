/** What the job runner and its parts (status writes, settlement, handler execution, outcomes) need from the worker. */
import type { CodecLimits } from "../codec/limits.ts";
import type { Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";
import type { Transport } from "../transport/transport.ts";
import type { HandlerRegistry } from "./handler-registry.ts";
import type { LeaseExtender } from "./lease-extender.ts";
import type { BackoffSchedule } from "./retry-policy.ts";
import type { StatusWriteRetry } from "./status-writer.ts";
import type { WorkerClock } from "./worker-clock.ts";
import type { TypedEmitter, WorkerEvents } from "./worker-events.ts";

/** What the runner needs from its worker. */
export interface JobRunnerOptions {
  readonly transport: Transport;
  readonly store: StatusStore | undefined;
  readonly registry: HandlerRegistry;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly limits: Partial<CodecLimits> | undefined;
  readonly defaultBackoff: BackoffSchedule;
  readonly statusRetry: StatusWriteRetry;
  readonly clock: WorkerClock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly events: TypedEmitter<WorkerEvents>;
  readonly leaseExtender: LeaseExtender | undefined;
  /** Counts each settled job, and whether it failed. */
  readonly settled: (failed: boolean) => void;
}
