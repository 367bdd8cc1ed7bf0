/**
 * Fenced records of the scaler's decisions and actions. Every action is recorded before it is taken; the store
 * refuses the record when the leader lease has moved on, and the scaler then stops acting — this is what keeps a
 * deposed leader (paused, partitioned) from launching a second time what the new leader already launched.
 */
import { ScalerError } from "../errors.ts";
import { uuidv7 } from "../ids.ts";
import { SCALER_EVENT_LIMITS } from "../status/status-checks.ts";
import type { Lease, ScalerEvent, ScalerEventKind, StatusStore } from "../status/status-store.ts";

/** What an event says, beyond who wrote it and when. */
export interface ScalerEventBody {
  readonly kind: ScalerEventKind;
  readonly reason: string;
  readonly desired?: number;
  readonly instanceIds?: readonly string[];
  readonly memory?: string;
}

/** Records events under one lease for one scaler. */
export class ScalerRecorder {
  private readonly store: StatusStore;
  private readonly scalerId: string;

  constructor(store: StatusStore, scalerId: string) {
    this.store = store;
    this.scalerId = scalerId;
  }

  /**
   * Records the event under `lease`; returns it (its id is the action id fleets use for idempotency). Throws
   * `SCALER_NOT_LEADER` when the store refuses it.
   */
  async record(lease: Lease, at: number, body: ScalerEventBody): Promise<ScalerEvent> {
    const event: ScalerEvent = {
      id: uuidv7(at),
      lease: lease.name,
      scalerId: this.scalerId,
      fencingToken: lease.token,
      at,
      ...body,
      reason: truncate(body.reason, SCALER_EVENT_LIMITS.reason),
    };
    if (!(await this.store.recordScalerEvent(event))) {
      throw new ScalerError("SCALER_NOT_LEADER", `lease ${lease.name} (token ${lease.token}) is no longer held`);
    }
    return event;
  }

  /** The policy memory of the newest decision under `leaseName`, as JSON; undefined when there is none. */
  async lastMemory(leaseName: string): Promise<string | undefined> {
    const [last] = await this.store.scalerEvents({ lease: leaseName, kinds: ["decision"], limit: 1 });
    return last?.memory;
  }
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
}
