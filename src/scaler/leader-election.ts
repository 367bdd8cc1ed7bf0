/**
 * Leadership among the scalers of one fleet: a lease in the status store. Every scaler calls `renew()` on each
 * tick; the one holding the lease renews it, the others take it only once it lapsed. The lease's fencing token grows
 * each time leadership changes hands, and every scaler event is recorded fenced by it, so a deposed leader whose
 * lease was taken over finds its next record refused and stops acting.
 *
 * A leader that stops renewing (crash, partition) is replaced within `ttlMs` + one tick.
 */
import type { Lease, StatusStore } from "../status/status-store.ts";

/** Options of {@link LeaderElection}. */
export interface LeaderElectionOptions {
  readonly store: StatusStore;
  /** One lease per fleet: `scaler:<fleet name>`. */
  readonly leaseName: string;
  /** This scaler's id. */
  readonly holder: string;
  /** How long a claim lasts unless renewed. */
  readonly ttlMs: number;
}

/** What one renewal found. */
export interface LeadershipState {
  /** The lease when this scaler holds it. */
  readonly lease: Lease | undefined;
  /** True when this renewal made this scaler leader (it was not before). */
  readonly gained: boolean;
  /** True when this scaler was leader before and is not now. */
  readonly lost: boolean;
}

/** One scaler's view of the leadership. Not safe for concurrent `renew()` calls (the scaler ticks one at a time). */
export class LeaderElection {
  private readonly options: LeaderElectionOptions;
  private held: Lease | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
  }

  /** The lease while this scaler holds it and it has not lapsed at `now`. */
  leaseAt(now: number): Lease | undefined {
    return this.held !== undefined && this.held.expiresAt > now ? this.held : undefined;
  }

  /**
   * Takes or renews the lease. A store error leaves leadership as it was until the held lease lapses, so a short
   * outage of the store does not hand leadership around.
   */
  async renew(now: number): Promise<LeadershipState> {
    // What this scaler last held, lapsed or not: losing it is news even when it lapsed before this renewal.
    const before = this.held;
    const lease = await this.options.store.acquireLease({
      name: this.options.leaseName,
      holder: this.options.holder,
      ttlMs: this.options.ttlMs,
      now,
    });
    this.held = lease;
    const gained = lease !== undefined && (before === undefined || before.token !== lease.token);
    const lost = before !== undefined && (lease === undefined || lease.token !== before.token);
    return { lease, gained, lost };
  }

  /** Gives the lease up (on shutdown), so another scaler takes over at once. */
  async resign(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) await this.options.store.releaseLease(held.name, held.holder, held.token);
  }

  /** Forgets the lease without releasing it (the store refused a fenced record: someone else leads). */
  deposed(): void {
    this.held = undefined;
  }
}
