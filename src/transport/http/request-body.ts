/** Reading a request body under a size limit, counted as it streams, so an oversized body is never held whole. */
import type { IncomingMessage } from "node:http";

/** What {@link readCappedBody} got: the body, a body over the limit, or a request the client abandoned. */
export type CappedBody =
  { readonly kind: "body"; readonly body: Buffer } | { readonly kind: "too-large" } | { readonly kind: "aborted" };

/**
 * Collects the body of `request` until it ends, or stops as soon as more than `maxBytes` arrived (the rest is
 * discarded as it comes: the caller answers 413 and closes the connection). Never rejects.
 */
export function readCappedBody(request: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (result: CappedBody): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("close", onClose);
      // Keep an error listener, so a late socket error is not thrown as an uncaught 'error' event.
      request.off("error", onClose);
      request.on("error", ignore);
      if (result.kind !== "body") request.resume();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) finish({ kind: "too-large" });
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: "body", body: Buffer.concat(chunks, total) });
    const onClose = (): void => finish({ kind: "aborted" });
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("close", onClose);
    request.on("error", onClose);
  });
}

function ignore(): void {
  // A client that went away: nothing to answer.
}
