/**
 * `npm start`: runs the quick start on embedded defaults and prints what happened and what to try next.
 * The encoded messages are left in .data/quickstart/ so the CLI (or any Apache Thrift library) can read them.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { roundTrip } from "./quickstart.ts";

const dataDir = join(process.cwd(), ".data", "quickstart");
await mkdir(dataDir, { recursive: true });
const report = (line: string): void => console.log(line);

report("thrift-queue quick start: a typed call from idl/jobs.thrift, as Apache Thrift bytes, back to a handler\n");
for (const protocol of ["binary", "compact"] as const) {
  const { bytes } = await roundTrip(protocol, report);
  const file = join(dataDir, `render.${protocol}.bin`);
  await writeFile(file, bytes);
  report(`  saved to ${file}\n`);
}
report("Try next:");
report("  npx thrift-queue decode --idl idl/jobs.thrift --call < .data/quickstart/render.binary.bin");
report(
  "  npx thrift-queue decode --idl idl/jobs.thrift --call --protocol compact < .data/quickstart/render.compact.bin",
);
report(
  `  echo '{"args":{"imageId":"x"}}' | npx thrift-queue encode --idl idl/jobs.thrift --call Thumbnails.countRendered | xxd`,
);
report("  npx thrift-queue gen idl/jobs.thrift --out src/gen     # your own generated code");
