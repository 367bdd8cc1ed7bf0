/**
 * A `node:sqlite` statement written with named parameters (`:name`) and bound by position: the SQL is prepared
 * with each name turned into a numbered parameter (`?1`, `?2`…, a name used twice keeps its number), and a call's
 * values are taken from an object by name (a missing one binds NULL, extra ones are ignored). Binding by name
 * costs `node:sqlite` a lookup per parameter and call; by position, none (measured: 4.8 against 2.1 µs for a
 * 9-parameter insert). Used by the SQLite transport and the SQLite status store.
 */
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from "node:sqlite";

/** Named values for a statement's parameters. */
export type NamedParameters = Readonly<Record<string, SQLInputValue>>;

/** A prepared statement bound by position from named values. */
export class PositionalStatement {
  private readonly statement: StatementSync;
  private readonly names: readonly string[];

  constructor(database: DatabaseSync, sql: string) {
    const names: string[] = [];
    const numbered = sql.replace(/:([A-Za-z]\w*)/g, (_, name: string) => {
      const index = names.indexOf(name);
      return `?${index === -1 ? names.push(name) : index + 1}`;
    });
    this.statement = database.prepare(numbered);
    this.names = names;
  }

  /** Runs the statement; returns how many rows it changed. */
  run(parameters: NamedParameters = {}): number {
    return Number(this.statement.run(...this.values(parameters)).changes);
  }

  /** The first row the statement returns, if any. */
  get(parameters: NamedParameters = {}): Record<string, SQLOutputValue> | undefined {
    return this.statement.get(...this.values(parameters));
  }

  /** Every row the statement returns. */
  all(parameters: NamedParameters = {}): Record<string, SQLOutputValue>[] {
    return this.statement.all(...this.values(parameters));
  }

  private values(parameters: NamedParameters): SQLInputValue[] {
    const { names } = this;
    const values = new Array<SQLInputValue>(names.length);
    for (let index = 0; index < names.length; index++) values[index] = parameters[names[index]!] ?? null;
    return values;
  }
}
