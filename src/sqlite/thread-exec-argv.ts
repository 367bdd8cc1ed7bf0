/**
 * The Node options a worker thread that runs a file of ours should start with: the process's own, but those of
 * string input. From a process started with `node --input-type=module -e …` they would pass on, and the thread's
 * entry file would be refused. Used by every thread thrift-queue starts (the threaded SQLite status store, the WAL
 * checkpoint thread).
 */
import process from "node:process";

/** Options of string input, with the value they take: a thread that runs a file must not see them. */
const STRING_INPUT_FLAGS: ReadonlySet<string> = new Set(["--input-type", "-e", "--eval", "-p", "--print"]);

/** `execArgv` (the process's by default) without the options of string input and their values. */
export function threadExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const flag = execArgv[index]!;
    const name = flag.split("=", 1)[0]!;
    if (!STRING_INPUT_FLAGS.has(name)) kept.push(flag);
    else if (name === flag) index++;
  }
  return kept;
}
