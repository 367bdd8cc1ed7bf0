/** What the orchestrator prints: the results of the example search and what to try next. */
import { redact } from "thrift-queue";
import type { GrepConfig } from "./grep-config.ts";
import type { SearchStatus } from "./search-status.ts";

/** Where lines go. */
export type Say = (line?: string) => void;

/** Prints counts, matches per document and the first matching lines. */
export function printResults(say: Say, status: SearchStatus): void {
  const results = status.results;
  if (!results) return;
  say(
    `\n${results.matchCount} matching lines in ${results.documentsScanned} documents (${results.linesScanned} lines scanned)`,
  );
  if (results.truncatedDocuments.length > 0) {
    say(`  time budget reached in: ${results.truncatedDocuments.join(", ")}`);
  }
  say("\nMatches per document:");
  for (const { document, matches } of results.perDocument.slice(0, 5)) {
    say(`  ${String(matches).padStart(5)}  ${document}`);
  }
  if (results.perDocument.length > 5) say(`  … and ${results.perDocument.length - 5} more documents`);
  say(`\nFirst ${results.matches.length} matches (sorted by document, then line):`);
  for (const match of results.matches) {
    const text = match.text.length > 110 ? `${match.text.slice(0, 110)}…` : match.text;
    say(`  ${match.document.replace(/^documents\//, "")}:${match.line}: ${text}`);
  }
}

/** What {@link printNextSteps} shows. */
export interface NextSteps {
  readonly config: GrepConfig;
  readonly webUrl: string;
  readonly statusUrl: string;
  readonly searchId: string;
  /** The workers' log files (or the folder they go to). */
  readonly workerLogs: readonly string[];
}

/** Prints where to look and what to try. */
export function printNextSteps(say: Say, steps: NextSteps): void {
  const { config, webUrl, statusUrl, searchId, workerLogs } = steps;
  const rerun = config.keepRunning ? "" : " (while `npm start -- --keep-running` runs)";
  say("\nWhere to look:");
  say(`  ${config.dataDir}/                     queue, status store, blobs (results/${searchId}/…), worker logs`);
  for (const log of workerLogs) say(`  ${log}`);
  say(`\nTry${rerun}:`);
  say(`  curl -s ${webUrl}/v1/searches/${searchId}?limit=5`);
  say(
    `  curl -s -X POST ${webUrl}/v1/searches -H 'content-type: application/json' -d '{"pattern":"\\" 50[0-9] ","documentSet":"sample"}'`,
  );
  say(`  curl -s ${statusUrl}/v1/jobs?state=succeeded`);
  say(`  curl -s ${statusUrl}/v1/workers`);
  if (config.autoscale) say(`  curl -s ${statusUrl}/v1/scaler`);
  say("Any time:");
  say(`  npx thrift-queue jobs --store '${redact(config.store)}'`);
  say("\nOther environments, same code, other URLs:");
  say(
    "  npm start -- --transport 'amqp://guest:guest@127.0.0.1:5672?queue=grep' --store postgres://postgres@127.0.0.1:5432/test",
  );
  say(
    "  npm start -- --transport 'sqs://grep?region=us-east-1&create=true' --store 'dynamodb://grep-jobs?region=us-east-1&create=true' --blobs 's3://my-bucket/grep?region=us-east-1'",
  );
  say("  (add &endpoint=http://127.0.0.1:<port> to each URL for an emulator such as fauxqs or dynalite)");
}
