import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { PollSignals } from "../../../../src/transport/sqs/sqs-poll-signals.ts";

interface Seen {
  readonly request: unknown;
  readonly options: { abortSignal?: AbortSignal; requestTimeout?: number } | undefined;
}

/** A stand-in for an SDK client: just the resolved request handler that PollSignals wraps. */
function fakeClient(seen: Seen[]) {
  const handler = {
    handle: async (request: unknown, options?: Seen["options"]) => {
      await Promise.resolve();
      seen.push({ request, options });
      return { response: request };
    },
  };
  const client = { config: { requestHandler: handler } } as unknown as SQSClient;
  const send = (request: unknown, options?: Seen["options"]) =>
    (client.config.requestHandler as unknown as typeof handler).handle(request, options);
  return { client, send };
}

describe("PollSignals", () => {
  it("hands each request the signal of the call that made it, across awaits and concurrent calls", async () => {
    const seen: Seen[] = [];
    const { client, send } = fakeClient(seen);
    const signals = new PollSignals();
    signals.attach(client);
    const first = new AbortController().signal;
    const second = new AbortController().signal;
    await Promise.all([
      signals.run(first, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return send("a", { requestTimeout: 7 });
      }),
      signals.run(second, () => send("b")),
    ]);
    const byRequest = new Map(seen.map((entry) => [entry.request, entry.options]));
    expect(byRequest.get("a")).toEqual({ requestTimeout: 7, abortSignal: first });
    expect(byRequest.get("b")?.abortSignal).toBe(second);
  });

  it("leaves requests made outside a run, or run without a signal, as they are", async () => {
    const seen: Seen[] = [];
    const { client, send } = fakeClient(seen);
    const signals = new PollSignals();
    signals.attach(client);
    await send("outside", { requestTimeout: 1 });
    await signals.run(undefined, () => send("unsignalled"));
    expect(seen).toEqual([
      { request: "outside", options: { requestTimeout: 1 } },
      { request: "unsignalled", options: undefined },
    ]);
  });
});
