/**
 * The simulated fleet: instances that boot, run jobs in `concurrencyPerInstance` slots, drain and terminate, and
 * the bill (per instance max(60 s, ceil(lifetime)), boot included). Per-instance and per-slot state lives in
 * growable typed arrays indexed by instance id, so long runs do not allocate per job.
 */
import type { FleetCounts } from "../policy/scaling-policy.ts";

/** Phases of a simulated instance. */
export const BOOTING = 0;
/** Serving work. */
export const RUNNING = 1;
/** Finishing its jobs, taking no more. */
export const DRAINING = 2;
/** Gone. */
export const TERMINATED = 3;

/** Instances, their slots and the bill. */
export class SimulatedFleet {
  /** Slots per instance. */
  readonly slotsPerInstance: number;
  /** Instances ever launched (ids are 0..launched−1). */
  launched = 0;
  /** Billed instance-seconds of instances terminated so far. */
  billedSeconds = 0;
  /** Ids of instances not yet terminated, in launch order. */
  readonly live: number[] = [];
  private phases = new Uint8Array(256);
  private launchedAt = new Float64Array(256);
  private busy = new Int32Array(256);
  /** Per slot: end time of the running job, NaN when the slot is free. */
  private slotEnd: Float64Array;
  private slotArrival: Float64Array;
  private slotService: Float64Array;
  /** Instances that may have a free slot (checked lazily). */
  private readonly available: number[] = [];
  private counts = { booting: 0, running: 0, draining: 0 };

  constructor(slotsPerInstance: number) {
    this.slotsPerInstance = slotsPerInstance;
    this.slotEnd = new Float64Array(256 * slotsPerInstance).fill(NaN);
    this.slotArrival = new Float64Array(256 * slotsPerInstance);
    this.slotService = new Float64Array(256 * slotsPerInstance);
  }

  /** Counts by phase, as the policy sees them. */
  fleetCounts(): FleetCounts {
    return { ...this.counts };
  }

  /** Booting + running (what a decision's `desired` is compared with). */
  get capacity(): number {
    return this.counts.booting + this.counts.running;
  }

  /** Slots running a job. */
  busySlots = 0;

  /** The phase of an instance. */
  phase(id: number): number {
    return this.phases[id]!;
  }

  /** Jobs an instance is running. */
  busyCount(id: number): number {
    return this.busy[id]!;
  }

  /** Launches an instance at `now` (booting, or running at once when `ready`); returns its id. */
  launch(now: number, ready: boolean): number {
    const id = this.launched++;
    if (id >= this.phases.length) this.grow();
    this.phases[id] = ready ? RUNNING : BOOTING;
    this.launchedAt[id] = now;
    this.live.push(id);
    if (ready) {
      this.counts.running += 1;
      this.available.push(id);
    } else this.counts.booting += 1;
    return id;
  }

  /** A booting instance starts serving. Ignored if it was terminated while booting. */
  bootCompleted(id: number): void {
    if (this.phases[id] !== BOOTING) return;
    this.phases[id] = RUNNING;
    this.counts.booting -= 1;
    this.counts.running += 1;
    this.available.push(id);
  }

  /** An instance with a free slot, or -1. */
  instanceWithFreeSlot(): number {
    while (this.available.length > 0) {
      const id = this.available[this.available.length - 1]!;
      if (this.phases[id] === RUNNING && this.busy[id]! < this.slotsPerInstance) return id;
      this.available.pop();
    }
    return -1;
  }

  /** Starts a job on a free slot of `id`; returns the slot index and its end time through `slotEndAt`. */
  startJob(id: number, now: number, arrivalMs: number, serviceMs: number): number {
    const base = id * this.slotsPerInstance;
    let slot = base;
    while (!Number.isNaN(this.slotEnd[slot]!)) slot += 1;
    this.slotEnd[slot] = now + serviceMs;
    this.slotArrival[slot] = arrivalMs;
    this.slotService[slot] = serviceMs;
    this.busy[id] = this.busy[id]! + 1;
    this.busySlots += 1;
    if (this.busy[id] === this.slotsPerInstance) this.available.pop();
    return slot;
  }

  /** End time of the job in `slot` (NaN when free). */
  slotEndAt(slot: number): number {
    return this.slotEnd[slot]!;
  }

  /** Arrival time of the job in `slot`. */
  slotArrivalAt(slot: number): number {
    return this.slotArrival[slot]!;
  }

  /** Service time of the job in `slot`. */
  slotServiceAt(slot: number): number {
    return this.slotService[slot]!;
  }

  /**
   * Frees a slot whose job finished at `now`. A draining instance with no more jobs is terminated; a running one
   * offers the slot again.
   */
  completeSlot(slot: number, now: number): void {
    const id = Math.floor(slot / this.slotsPerInstance);
    this.slotEnd[slot] = NaN;
    this.busy[id] = this.busy[id]! - 1;
    this.busySlots -= 1;
    if (this.phases[id] === DRAINING) {
      if (this.busy[id] === 0) this.terminate(id, now, () => undefined);
    } else if (this.busy[id] === this.slotsPerInstance - 1) this.available.push(id);
  }

  /** Tells a running instance to drain; an idle one is terminated at once. */
  drain(id: number, now: number): void {
    if (this.phases[id] !== RUNNING) return;
    if (this.busy[id] === 0) {
      this.terminate(id, now, () => undefined);
      return;
    }
    this.phases[id] = DRAINING;
    this.counts.running -= 1;
    this.counts.draining += 1;
  }

  /** Terminates an instance now, handing each job it was running to `onKilled`, and bills it. */
  terminate(id: number, now: number, onKilled: (arrivalMs: number, serviceMs: number) => void): void {
    const phase = this.phases[id]!;
    if (phase === TERMINATED) return;
    if (phase === BOOTING) this.counts.booting -= 1;
    else if (phase === RUNNING) this.counts.running -= 1;
    else this.counts.draining -= 1;
    this.phases[id] = TERMINATED;
    const base = id * this.slotsPerInstance;
    for (let slot = base; slot < base + this.slotsPerInstance; slot += 1) {
      if (Number.isNaN(this.slotEnd[slot]!)) continue;
      this.slotEnd[slot] = NaN;
      this.busySlots -= 1;
      onKilled(this.slotArrival[slot]!, this.slotService[slot]!);
    }
    this.busy[id] = 0;
    const index = this.live.indexOf(id);
    if (index >= 0) this.live.splice(index, 1);
    this.billedSeconds += billedSeconds(now - this.launchedAt[id]!);
  }

  /** Terminates every live instance (end of the run). */
  terminateAll(now: number): void {
    for (const id of [...this.live]) this.terminate(id, now, () => undefined);
  }

  private grow(): void {
    const size = this.phases.length * 2;
    const phases = new Uint8Array(size);
    phases.set(this.phases);
    const launchedAt = new Float64Array(size);
    launchedAt.set(this.launchedAt);
    const busy = new Int32Array(size);
    busy.set(this.busy);
    const slotEnd = new Float64Array(size * this.slotsPerInstance).fill(NaN);
    slotEnd.set(this.slotEnd);
    const slotArrival = new Float64Array(size * this.slotsPerInstance);
    slotArrival.set(this.slotArrival);
    const slotService = new Float64Array(size * this.slotsPerInstance);
    slotService.set(this.slotService);
    this.phases = phases;
    this.launchedAt = launchedAt;
    this.busy = busy;
    this.slotEnd = slotEnd;
    this.slotArrival = slotArrival;
    this.slotService = slotService;
  }
}

/** The bill of one instance that lived `lifetimeMs`: per second, at least 60 s, boot included. */
export function billedSeconds(lifetimeMs: number): number {
  return Math.max(60, Math.ceil(lifetimeMs / 1000 - 1e-9));
}
