/** startStatusServer's lifecycle: the URL it reports, bad ports, and a close that does not hang on open connections. */
import { Agent, request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { startStatusServer } from "thrift-queue";
import { freshStore, never, storeWith } from "./api-harness.ts";

describe("startStatusServer", () => {
  it("reports the URL and port it listens on, and closes idempotently", async () => {
    const server = await startStatusServer({ store: freshStore(), port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it("rejects a bad port or a port in use with a ConfigError", async () => {
    await expect(startStatusServer({ store: freshStore(), port: 70_000 })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: "port must be a whole number from 0 to 65535, got 70000",
    });
    const first = await startStatusServer({ store: freshStore(), port: 0 });
    try {
      await expect(startStatusServer({ store: freshStore(), port: first.port })).rejects.toMatchObject({
        code: "CONFIG_INVALID",
        message: `cannot listen on 127.0.0.1:${first.port}: the address is in use`,
      });
    } finally {
      await first.close();
    }
  });

  it("closes idle keep-alive connections at once and cuts a hung request after closeTimeoutMs", async () => {
    const store = storeWith(freshStore(), { list: () => never() });
    const server = await startStatusServer({ store, port: 0, closeTimeoutMs: 100, storeTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await fetchWith(agent, `${server.url}/healthz`)).status).toBe(200);
      const hung = fetchWith(agent, `${server.url}/v1/jobs`).then(
        () => "answered",
        () => "cut",
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The store never answers: without the cut after closeTimeoutMs, close() would not resolve.
      await server.close();
      expect(await hung).toBe("cut");
    } finally {
      agent.destroy();
    }
  });
});

/** A GET through `agent` (fetch has its own pool, which keeps connections open past the test). */
function fetchWith(agent: Agent, url: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0 }));
    });
    request.on("error", reject);
    request.end();
  });
}
