/**
 * The memory store's scaler events: a map by id, fenced against the store's leases. JavaScript runs one call at a
 * time, so the check of the lease and the insert are one step.
 */
import { checkedScalerEventQuery, checkScalerEvent } from "../status-checks.ts";
import type { Lease, ScalerEvent, ScalerEventQuery } from "../status-store.ts";

/** Every scaler event of one memory store, by id. */
export class MemoryScalerEvents {
  private readonly events = new Map<string, ScalerEvent>();

  /** Records `event` if its writer holds its lease with its token; returns whether the fence held. */
  record(event: ScalerEvent, leases: ReadonlyMap<string, Lease>): boolean {
    checkScalerEvent(event);
    const lease = leases.get(event.lease);
    if (lease?.holder !== event.scalerId || lease.token !== event.fencingToken) return false;
    if (!this.events.has(event.id)) this.events.set(event.id, copyEvent(event));
    return true;
  }

  /** The events matching `query`, newest id first. */
  list(query: ScalerEventQuery | undefined): ScalerEvent[] {
    const { lease, kinds, before, limit } = checkedScalerEventQuery(query);
    const matching = [...this.events.values()].filter(
      (event) =>
        (lease === undefined || event.lease === lease) &&
        (kinds === undefined || kinds.includes(event.kind)) &&
        (before === undefined || event.id < before),
    );
    matching.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return matching.slice(0, limit).map(copyEvent);
  }

  /** Removes the events whose `at` is before `before`; returns how many went. */
  scrub(before: number | undefined): number {
    if (before === undefined) return 0;
    let removed = 0;
    for (const [id, event] of this.events) {
      if (event.at < before) {
        this.events.delete(id);
        removed += 1;
      }
    }
    return removed;
  }
}

/** A copy that shares no array with the caller (who may change theirs later). */
function copyEvent(event: ScalerEvent): ScalerEvent {
  const copy: ScalerEvent = {
    id: event.id,
    lease: event.lease,
    scalerId: event.scalerId,
    fencingToken: event.fencingToken,
    kind: event.kind,
    at: event.at,
    reason: event.reason,
    ...(event.desired === undefined ? {} : { desired: event.desired }),
    ...(event.instanceIds === undefined ? {} : { instanceIds: [...event.instanceIds] }),
    ...(event.memory === undefined ? {} : { memory: event.memory }),
  };
  return copy;
}
