/**
 * The few parts of the npm `thrift` library the adapters touch, typed structurally so thrift-queue does not
 * depend on that package: callers pass their own `import * as thrift from "thrift"`.
 */

/** A TBufferedTransport as the npm library builds it. */
export interface NpmThriftTransport {
  flush(): void;
}

/** A protocol class of the npm library (TBinaryProtocol, TCompactProtocol). */
export type NpmThriftProtocolClass = new (transport: NpmThriftTransport) => object;

/** What the adapters need from the npm `thrift` module. */
export interface NpmThriftModule {
  readonly TBufferedTransport: {
    new (buffer?: Buffer, onFlush?: (message: Buffer) => void): NpmThriftTransport;
    receiver(callback: (reader: NpmThriftTransport) => void): (data: Buffer) => void;
  };
  readonly TBinaryProtocol: NpmThriftProtocolClass;
  readonly TCompactProtocol: NpmThriftProtocolClass;
}
