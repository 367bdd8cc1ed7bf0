/**
 * What makes the asg fleet's launch idempotent per action id. SetDesiredCapacity takes an absolute number, but a
 * launch asks for "`count` more": computed afresh on a retry, "current desired + count" would add twice whenever
 * the first attempt reached AWS and only its answer was lost. So the first attempt of an action fixes its absolute
 * target here, and a retry re-sends that target (or nothing, once it was confirmed or overtaken by a later action).
 *
 * The ledger lives in memory: a retry reaches the same scaler process; a new leader starts with new actions.
 */

/** The target an action set, and whether AWS confirmed it. */
export interface LaunchEntry {
  readonly target: number;
  readonly confirmed: boolean;
}

/** How many actions the ledger remembers (retries come soon after the first attempt). */
const REMEMBERED_ACTIONS = 256;

/** Launch targets by action id, oldest first. */
export class LaunchLedger {
  private readonly entries = new Map<string, LaunchEntry>();
  private latest: string | undefined;

  /** The entry of an action, if it was attempted. */
  get(actionId: string): LaunchEntry | undefined {
    return this.entries.get(actionId);
  }

  /** Whether an action was overtaken: a later action was attempted since, so re-sending its target could undo it. */
  isOvertaken(actionId: string): boolean {
    return this.entries.has(actionId) && this.latest !== actionId;
  }

  /** Records the target of an action's first attempt, before it is sent. */
  begin(actionId: string, target: number): void {
    this.entries.set(actionId, { target, confirmed: false });
    this.latest = actionId;
    if (this.entries.size > REMEMBERED_ACTIONS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Marks an action's target as set in AWS. */
  confirm(actionId: string): void {
    const entry = this.entries.get(actionId);
    if (entry !== undefined) this.entries.set(actionId, { target: entry.target, confirmed: true });
  }
}
