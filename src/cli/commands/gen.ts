import { generate } from "../../codegen/generate.ts";
import type { CliCommand } from "../command.ts";
import { INCLUDE_DIR_OPTION, parseOptions, requireOption } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";

const USAGE = `Usage: thrift-queue gen <file.thrift…> --out <dir> [-I <dir>]… [--import-extension .js|.ts|none]

Generates TypeScript (types, codecs, reflection, handler interfaces, typed clients) for each IDL file and
everything it includes, one <module>.ts per IDL file.`;

function importExtension(value: string | undefined): ".js" | ".ts" | "" {
  if (value === undefined || value === ".js") return ".js";
  if (value === ".ts") return ".ts";
  if (value === "none") return "";
  throw usageError(`--import-extension must be .js, .ts or none, got ${JSON.stringify(value)}`);
}

/** `thrift-queue gen`: IDL to TypeScript. */
export const genCommand: CliCommand = {
  name: "gen",
  summary: "generate TypeScript from Thrift IDL files",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      argv,
      { out: { type: "string", short: "o" }, "import-extension": { type: "string" }, ...INCLUDE_DIR_OPTION },
      USAGE,
    );
    if (positionals.length === 0) throw usageError(`no IDL file given\n${USAGE}`);
    const outDir = requireOption(values.out, "out", USAGE);
    const written = await generate(positionals, outDir, {
      includeDirs: values["include-dir"] ?? [],
      importExtension: importExtension(values["import-extension"]),
    });
    for (const path of written) io.writeStdout(`${path}\n`);
    return 0;
  },
};
