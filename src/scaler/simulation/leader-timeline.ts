/**
 * The leader-crash model of the simulator. The leader renews its lease every `renewIntervalMs` and records each
 * decision (id, desired, policy memory) before applying it. At `atMs` it dies: nobody evaluates until the lease
 * lapses (last renewal + TTL), then a standby takes over, re-applies the last recorded decision through the same
 * idempotent path (the fleet launches at most once per decision id, as EC2 does with ClientToken = action id) and
 * continues with the recorded memory. Launches are counted per decision id to show that none is duplicated.
 */
import type { FailoverResult, LeaderCrash } from "./simulation-types.ts";

/** What the standby takes over with. */
export interface Takeover {
  readonly lastDecisionId: number;
  readonly lastDesired: number;
}

/** Leadership over one run: crash, lease lapse, takeover, and launches per decision id. */
export class LeaderTimeline {
  private readonly crash: LeaderCrash | undefined;
  private state: "leading" | "down" | "recovered" = "leading";
  private takeoverAtMs = Infinity;
  private lastDecisionId = -1;
  private lastDesired = 0;
  private readonly applied = new Set<number>();
  private readonly launchesByDecision = new Map<number, number>();
  private duplicates = 0;
  private reappliedDecisionId = -1;
  private crashedAtMs = NaN;

  constructor(crash: LeaderCrash | undefined) {
    this.crash = crash;
  }

  /** The next time the leadership changes (crash or takeover), Infinity when none is pending. */
  nextChangeAt(): number {
    if (this.crash === undefined || this.state === "recovered") return Infinity;
    if (this.state === "down") return this.takeoverAtMs;
    return this.crash.during === "decision" ? Infinity : this.crash.atMs;
  }

  /**
   * For `during: "decision"`: whether the leader dies now, after recording its decision and before applying it. If
   * so the leadership is down from `now` ({@link nextChangeAt} is the takeover).
   */
  diesBeforeApplying(now: number): boolean {
    if (this.crash?.during !== "decision" || this.state !== "leading" || now < this.crash.atMs) return false;
    this.change(now);
    return true;
  }

  /** Whether an evaluation may run now (false while no scaler leads). */
  get leading(): boolean {
    return this.state !== "down";
  }

  /**
   * Moves the leadership at `now` (= {@link nextChangeAt}): on the crash, returns undefined and schedules the
   * takeover; on the takeover, returns what the new leader re-applies.
   */
  change(now: number): Takeover | undefined {
    const crash = this.crash;
    if (crash === undefined) return undefined;
    if (this.state === "leading") {
      const renewEvery = crash.renewIntervalMs ?? 5_000;
      const lastRenewal = Math.floor(now / renewEvery) * renewEvery;
      this.takeoverAtMs = lastRenewal + (crash.leaseTtlMs ?? 30_000);
      this.crashedAtMs = now;
      this.state = "down";
      return undefined;
    }
    this.state = "recovered";
    this.reappliedDecisionId = this.lastDecisionId;
    return { lastDecisionId: this.lastDecisionId, lastDesired: this.lastDesired };
  }

  /** Notes a recorded decision (recorded before it is applied). */
  recorded(decisionId: number, desired: number): void {
    this.lastDecisionId = decisionId;
    this.lastDesired = desired;
  }

  /** True the first time a decision id is applied; later applications are no-ops (idempotent launches). */
  firstApplication(decisionId: number): boolean {
    if (this.applied.has(decisionId)) return false;
    this.applied.add(decisionId);
    return true;
  }

  /** Counts launches made for a decision id. */
  launched(decisionId: number, count: number): void {
    if (this.launchesByDecision.has(decisionId)) this.duplicates += count;
    this.launchesByDecision.set(decisionId, (this.launchesByDecision.get(decisionId) ?? 0) + count);
  }

  /** The failover measurements. */
  result(): FailoverResult {
    const crashAt = this.crashedAtMs;
    return {
      crashAtS: crashAt / 1000,
      takeoverAtS: this.takeoverAtMs / 1000,
      failoverS: (this.takeoverAtMs - crashAt) / 1000,
      duplicateLaunches: this.duplicates,
      reappliedDecisionId: this.reappliedDecisionId,
    };
  }
}
