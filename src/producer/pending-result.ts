/**
 * What generated clients return for two-way methods: the channel's receipt, plus `result()` to wait for the
 * method's typed return value. The call itself resolves as soon as the broker has it, like a oneway call; only
 * `result()` waits for a worker.
 */
import type { MethodDescriptor } from "../codec/service-descriptor.ts";
import { ConfigError } from "../errors.ts";
import type { CallChannel, CallOptions, OutgoingCall, ResultOptions, SuccessOf } from "./call-channel.ts";

/** A receipt of a two-way call; `result()` resolves with the return value or rejects with the typed failure. */
export type PendingResult<Receipt, T> = Receipt & {
  /**
   * Waits for the job's outcome: resolves with the return value; rejects with a `DeclaredException` (check it
   * with `error.is(UnreadableImage)`), a `JobFailedError` (dead, cancelled, undeclared failure), a `TimeoutError`
   * `RESULT_TIMEOUT`, or a `ConfigError` when the channel cannot learn outcomes (no status store).
   */
  result(options?: ResultOptions): Promise<T>;
};

/** Sends a two-way call through `channel` and resolves with its {@link PendingResult} (used by generated clients). */
export function sendTwoWay<Receipt, Args, Result>(
  channel: CallChannel<Receipt>,
  call: OutgoingCall<Args, Result>,
  options?: CallOptions,
): Promise<PendingResult<Receipt, SuccessOf<Result>>> {
  return channel.send(call, options).then((receipt) => withResult(channel, receipt, call.method));
}

/** Adds `result()` to a receipt `channel` returned for a call of `method`. */
export function withResult<Receipt, Result>(
  channel: CallChannel<Receipt>,
  receipt: Receipt,
  method: MethodDescriptor<unknown, Result>,
): PendingResult<Receipt, SuccessOf<Result>> {
  return {
    ...receipt,
    result(resultOptions?: ResultOptions): Promise<SuccessOf<Result>> {
      if (channel.awaitResult === undefined) return Promise.reject(noResults(method));
      try {
        return channel.awaitResult(receipt, method, resultOptions);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

function noResults(method: MethodDescriptor): ConfigError {
  return new ConfigError(
    "CONFIG_INVALID",
    `cannot wait for the result of ${method.name}: this channel does not read job outcomes ` +
      "(create the producer with a status store: createProducer({ transport, store }))",
  );
}
