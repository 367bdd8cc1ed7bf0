/**
 * The sample document set: ten days of web-server access logs (combined log format), generated from a seeded
 * PRNG so they are the same on every machine. The files are checked in under documents/sample/ (about 1.4 MB);
 * a test checks they still equal what this generator writes.
 *
 *   node examples/grep/sample-documents.ts    rewrite examples/grep/documents/sample/
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** One generated document. */
export interface SampleDocument {
  /** File name, e.g. `access-2026-01-01.log`. */
  readonly name: string;
  readonly text: string;
}

/** The folder the sample set is checked in to. */
export const SAMPLE_FOLDER = fileURLToPath(new URL("./documents/sample/", import.meta.url));

const DAYS = 10;
const LINES_PER_DAY = 1000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const PAGES = ["/", "/index.html", "/about", "/pricing", "/blog/queues-at-scale", "/blog/thrift-for-humans", "/docs"];
const API = ["/api/v2/orders", "/api/v2/orders/{id}", "/api/v2/search?q={word}", "/api/v2/users/{id}", "/api/v2/cart"];
const ASSETS = ["/static/app.js", "/static/app.css", "/static/logo.svg", "/favicon.ico"];
const PROBES = ["/wp-login.php", "/.env", "/cgi-bin/../../etc/passwd", "/admin/config.php", "/phpmyadmin/"];
const WORDS = ["thrift", "queue", "worker", "lease", "retry", "broker", "grep", "status", "chunk", "shard"];
const AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  "curl/8.5.0",
  "Googlebot/2.1 (+http://www.google.com/bot.html)",
];
const PROBE_AGENTS = ["sqlmap/1.8", "Nikto/2.5.0", "python-requests/2.32.3"];

/** mulberry32: a tiny seeded PRNG, good enough for sample data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** One log line at `second` of the day. */
function logLine(random: () => number, date: Date, second: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ip = `${pick([198, 203, 192])}.${pick([51, 0])}.${Math.floor(random() * 255)}.${1 + Math.floor(random() * 254)}`;
  const time = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:${pad(second % 60)} +0000`;
  const roll = random();
  let method = "GET";
  let path: string;
  let agent = pick(AGENTS);
  let status: number;
  if (roll < 0.02) {
    path = pick(PROBES);
    agent = pick(PROBE_AGENTS);
    status = pick([403, 404, 404]);
  } else if (roll < 0.45) {
    path = pick(API)
      .replace("{id}", String(1000 + Math.floor(random() * 9000)))
      .replace("{word}", pick(WORDS));
    method = path === "/api/v2/cart" || random() < 0.2 ? "POST" : "GET";
    const failure = random();
    status = failure < 0.015 ? pick([500, 502, 503]) : failure < 0.05 ? pick([400, 401, 404, 429]) : 200;
  } else if (roll < 0.75) {
    path = pick(PAGES);
    status = random() < 0.1 ? 304 : 200;
  } else {
    path = pick(ASSETS);
    status = random() < 0.4 ? 304 : 200;
  }
  const bytes = status === 304 ? 0 : 200 + Math.floor(random() * 20_000);
  const referer = random() < 0.3 ? `"https://example.org${pick(PAGES)}"` : `"-"`;
  return `${ip} - - [${time}] "${method} ${path} HTTP/1.1" ${status} ${bytes} ${referer} "${agent}"`;
}

/** The sample set, the same on every call. */
export function sampleDocuments(): SampleDocument[] {
  const documents: SampleDocument[] = [];
  for (let day = 0; day < DAYS; day++) {
    const random = prng(20_260_101 + day);
    const date = new Date(Date.UTC(2026, 0, 1 + day));
    const seconds = Array.from({ length: LINES_PER_DAY }, () => Math.floor(random() * 86_400)).sort((a, b) => a - b);
    const lines = seconds.map((second) => logLine(random, date, second));
    const name = `access-${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}.log`;
    documents.push({ name, text: `${lines.join("\n")}\n` });
  }
  return documents;
}

/** Rewrites the checked-in files. */
async function writeSampleFolder(): Promise<void> {
  await rm(SAMPLE_FOLDER, { recursive: true, force: true });
  await mkdir(SAMPLE_FOLDER, { recursive: true });
  for (const document of sampleDocuments()) await writeFile(join(SAMPLE_FOLDER, document.name), document.text);
  process.stdout.write(`wrote ${DAYS} documents to ${SAMPLE_FOLDER}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeSampleFolder();
