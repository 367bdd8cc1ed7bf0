/** The orchestrator's HTTP client of the web tier: submit a search, poll its status until it ends. */
import { setTimeout as sleep } from "node:timers/promises";
import type { SearchStatus } from "./search-status.ts";

/** The web tier's 202 answer. */
export interface SubmittedSearch {
  readonly searchId: string;
  readonly jobs: readonly { readonly chunkIndex: number; readonly jobId: string; readonly documents: number }[];
  readonly documents: number;
  readonly statusUrl: string;
}

/** POSTs a search; throws with the answer's error for anything but 202. */
export async function postSearch(webUrl: string, body: Record<string, unknown>): Promise<SubmittedSearch> {
  const response = await fetch(`${webUrl}/v1/searches`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  if (response.status !== 202)
    throw new Error(`POST /v1/searches answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer as SubmittedSearch;
}

/** GETs a search's status (a page of results once it succeeded). */
export async function getSearch(statusUrl: string, limit = 100, offset = 0): Promise<SearchStatus> {
  const response = await fetch(`${statusUrl}?limit=${limit}&offset=${offset}`);
  const answer: unknown = await response.json();
  if (response.status !== 200)
    throw new Error(`GET ${statusUrl} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer as SearchStatus;
}

/** Polls until the search succeeded or failed, calling `onChange` when its progress line changes. */
export async function waitForSearch(
  statusUrl: string,
  onChange: (status: SearchStatus) => void,
  options: { readonly timeoutMs: number; readonly intervalMs?: number },
): Promise<SearchStatus> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "";
  for (;;) {
    const status = await getSearch(statusUrl, 0);
    const line = progressLine(status);
    if (line !== last) onChange(status);
    last = line;
    if (status.state === "succeeded" || status.state === "failed") return status;
    if (Date.now() > deadline) throw new Error(`the search did not finish within ${options.timeoutMs} ms`);
    await sleep(options.intervalMs ?? 200);
  }
}

/** `  60% running  chunks: 3 succeeded, 2 running` */
export function progressLine(status: SearchStatus): string {
  const counts = new Map<string, number>();
  for (const chunk of status.chunks) counts.set(chunk.state, (counts.get(chunk.state) ?? 0) + 1);
  const parts = [...counts].map(([state, count]) => `${count} ${state}`).join(", ");
  return `${String(Math.round(status.progress)).padStart(3)}% ${status.state.padEnd(9)} chunks: ${parts}`;
}
