/** The parts of the `dynalite` package (an in-process DynamoDB emulator, no types of its own) the tests use. */
declare module "dynalite" {
  import type { Server } from "node:http";

  /** Options of a dynalite server. */
  interface DynaliteOptions {
    /** How long table creation takes, in ms. */
    readonly createTableMs?: number;
    /** How long table deletion takes, in ms. */
    readonly deleteTableMs?: number;
    /** How long table updates take, in ms. */
    readonly updateTableMs?: number;
    /** A LevelDB folder; in memory when absent. */
    readonly path?: string;
  }

  /** An HTTP server answering the DynamoDB API. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
