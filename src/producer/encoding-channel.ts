import { encodeCallMessage, type EncodeCallOptions } from "../codec/call-message.ts";
import type { CallChannel, OutgoingCall } from "./call-channel.ts";

/** A call written to bytes: exactly what Apache Thrift would put on the wire. */
export interface EncodedCall {
  readonly service: string;
  readonly method: string;
  readonly oneway: boolean;
  readonly bytes: Uint8Array;
}

/** A channel that only encodes: generated clients over it return the message bytes of each call. */
export function createEncodingChannel(options: EncodeCallOptions = {}): CallChannel<EncodedCall> {
  return {
    send<Args>(call: OutgoingCall<Args>): Promise<EncodedCall> {
      try {
        const bytes = encodeCallMessage(call.service, call.method, call.args, options);
        return Promise.resolve({
          service: call.service.name,
          method: call.method.name,
          oneway: call.method.oneway,
          bytes,
        });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
