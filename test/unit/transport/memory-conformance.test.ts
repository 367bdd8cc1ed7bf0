/** The in-memory reference transport passes the transport conformance suite. */
import { MemoryTransport } from "thrift-queue";
import { runTransportConformance } from "../../conformance/transport-conformance.ts";

runTransportConformance("memory", {
  open: (queue, options) => Promise.resolve(new MemoryTransport({ queue, ...options })),
  unitMs: 40,
});
