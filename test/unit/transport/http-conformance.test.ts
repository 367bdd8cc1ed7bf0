/**
 * The HTTP transport passes the transport conformance suite. Every queue is a path on one receiver port of this
 * process; each transport the suite opens both posts to it and listens on it, so opening a queue twice gives two
 * clients of one receiver buffer (the process-local registry shares it), as two clients of a broker queue would.
 *
 * Two adjustments, both declared here rather than hidden:
 * - The suite's payloads ("hello", empty, 1 MiB of counting bytes) are not Thrift messages, so these receivers
 *   run with `requireThriftMessage: false`; by default a receiver answers 400 to such bodies.
 * - No `injectMalformed`: a receiver refuses a malformed request at the door (400) instead of holding it, so a
 *   malformed message can never reach its buffer (test/unit/transport/http-receiver.test.ts checks the 400s).
 */
import { HttpTransport } from "thrift-queue";
import { runTransportConformance } from "../../conformance/transport-conformance.ts";
import { freePort } from "./http-test-support.ts";

const port = await freePort();

runTransportConformance("http", {
  open: async (queue, options) => {
    const transport = new HttpTransport({
      url: `http://127.0.0.1:${port}/${queue}`,
      ...options,
      requireThriftMessage: false,
      useEnvironment: false,
    });
    await transport.listen();
    return transport;
  },
  unitMs: 40,
});
