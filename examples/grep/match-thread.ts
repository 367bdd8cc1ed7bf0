/**
 * The matcher's thread (see isolated-matcher.ts): runs {@link matchDocument} on each request and posts the
 * outcome back. A pattern that hangs inside one `RegExp.exec` hangs only this thread, which the caller terminates.
 */
import { parentPort } from "node:worker_threads";
import { linePattern, matchDocument, type DocumentMatches } from "./matcher.ts";

/** What the caller asks. */
export interface MatchRequest {
  readonly id: number;
  readonly document: string;
  readonly text: string;
  readonly pattern: string;
  readonly flags: string;
  readonly budgetMs: number;
  readonly maxMatches: number;
}

/** What the thread answers. */
export type MatchReply =
  | { readonly id: number; readonly ok: true; readonly result: DocumentMatches }
  | { readonly id: number; readonly ok: false; readonly message: string };

parentPort?.on("message", (request: MatchRequest) => {
  let reply: MatchReply;
  try {
    const regex = linePattern(request.pattern, request.flags);
    const result = matchDocument(request.document, request.text, regex, {
      budgetMs: request.budgetMs,
      maxMatches: request.maxMatches,
    });
    reply = { id: request.id, ok: true, result };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
