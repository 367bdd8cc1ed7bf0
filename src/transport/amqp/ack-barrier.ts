/**
 * AMQP acks have no reply. To know an ack took effect, the transport follows it with a synchronous request on
 * the same channel: the broker handles a channel's frames in order, so the reply proves every ack sent before
 * the request was processed. Acks that arrive together share one round trip.
 */

/** Coalesces "wait until my ack was processed" into as few round trips as possible. */
export class AckBarrier {
  private readonly roundTrip: () => Promise<void>;
  /** The round trip that has not started yet; every caller until it starts shares it. */
  private queued: Promise<void> | undefined;
  /** The round trip under way, settled either way. */
  private current: Promise<void> = Promise.resolve();

  constructor(roundTrip: () => Promise<void>) {
    this.roundTrip = roundTrip;
  }

  /** Resolves after a round trip that started after this call; rejects if it failed (the channel closed). */
  wait(): Promise<void> {
    this.queued ??= this.current.then(() => {
      this.queued = undefined;
      const round = this.roundTrip();
      this.current = round.catch(() => undefined);
      return round;
    });
    return this.queued;
  }
}
