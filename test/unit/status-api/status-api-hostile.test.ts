/** Hostile requests over a raw socket (no client-side URL clean-up): each gets an answer, and the server lives on. */
import { describe, expect, it } from "vitest";
import { freshStore, rawBody, rawRequest, rawStatus, request, serve, succeededJob } from "./api-harness.ts";

/** A request head with `target` as sent, closing the connection after the response. */
function get(target: string, method = "GET"): string {
  return `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
}

describe("hostile requests", () => {
  it("are answered with JSON errors (or Node's own 4xx for unparsable HTTP) and never stop the server", async () => {
    const store = freshStore();
    await succeededJob(store, "job-1");
    const server = await serve({ store });
    const expectations: readonly (readonly [string, number, string | undefined])[] = [
      [get("/v1/jobs/%E0%A4%A"), 400, "API_INVALID_PARAMETER"],
      [get("/v1/jobs/%"), 400, "API_INVALID_PARAMETER"],
      [get("/v1/jobs?%zz=%&state=%ff"), 400, "API_INVALID_PARAMETER"],
      [get("/v1/jobs?state=%ff"), 400, "API_INVALID_PARAMETER"],
      [get("/v1/jobs?cursor=%00%01%02"), 400, "STORE_INVALID_QUERY"],
      [get(`/v1/jobs?${"a=b&".repeat(2100)}`), 414, "API_URI_TOO_LONG"],
      [get(`/v1/jobs/${"x".repeat(9000)}`), 414, "API_URI_TOO_LONG"],
      [get("//v1/jobs"), 404, "API_NOT_FOUND"],
      [get("*", "OPTIONS"), 404, "API_NOT_FOUND"],
      [get("/../../etc/passwd"), 404, "API_NOT_FOUND"],
      [get("/v1/jobs/%2e%2e%2f%2e%2e"), 404, "API_JOB_NOT_FOUND"],
      [get("/v1/jobs/%00"), 404, "API_JOB_NOT_FOUND"],
      [get("http://evil.example/v1/jobs/job-1"), 200, undefined],
      [get("HTTP://evil.example"), 404, "API_NOT_FOUND"],
      [get("/v1/jobs", "PROPFIND"), 405, "API_METHOD_NOT_ALLOWED"],
    ];
    for (const [head, status, code] of expectations) {
      const response = await rawRequest(server, head);
      const body = rawBody(response) as { error?: { code: string } };
      expect({ head: head.slice(0, 60), status: rawStatus(response), code: body.error?.code }).toEqual({
        head: head.slice(0, 60),
        status,
        code,
      });
      expect(response.toLowerCase()).toContain("content-type: application/json; charset=utf-8");
    }
    // What Node's HTTP parser refuses before the handler sees it: a 4xx and a closed connection.
    for (const head of [
      "HELLO\r\n\r\n",
      get("/v1/jobs", "BREW"),
      get(`/v1/jobs?${"a".repeat(20_000)}`),
      "GET /\u0001 HTTP/1.1\r\n\r\n",
    ]) {
      const status = rawStatus(await rawRequest(server, head));
      expect(status >= 400 && status < 500).toBe(true);
    }
    const parallel = await Promise.all(Array.from({ length: 50 }, () => request(server, "/v1/jobs/job-1")));
    expect(parallel.every((response) => response.status === 200)).toBe(true);
    expect((await request(server, "/healthz")).body).toEqual({ ok: true, store: "memory" });
  });

  it("ignores a request body, even a large one, on GET", async () => {
    const server = await serve({ store: freshStore() });
    const body = "x".repeat(100_000);
    const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`;
    const response = await rawRequest(server, head + body);
    expect(rawStatus(response)).toBe(200);
    expect(rawBody(response)).toEqual({ ok: true, store: "memory" });
  });

  it("survives clients that go away before the answer", async () => {
    const server = await serve({ store: freshStore() });
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const requests = controllers.map((controller) =>
      fetch(`${server.url}/v1/jobs`, { signal: controller.signal }).catch(() => undefined),
    );
    for (const controller of controllers) controller.abort();
    await Promise.all(requests);
    expect((await request(server, "/healthz")).status).toBe(200);
  });
});
