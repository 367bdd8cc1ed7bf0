import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StatusStoreError } from "../../../src/errors.ts";
import { silentLogger } from "../../../src/logger.ts";
import { TransactionGroup } from "../../../src/status/sqlite/sqlite-transaction-group.ts";

const toError = (error: unknown, doing: string): StatusStoreError =>
  new StatusStoreError("STORE_FAILED", `${doing}: ${String(error)}`, { cause: error });

describe("SQLite transaction group", () => {
  let database: DatabaseSync;
  let group: TransactionGroup;
  const insert =
    (...values: number[]) =>
    () => {
      for (const value of values) database.prepare("INSERT INTO t (x) VALUES (?)").run(value);
      return values.length;
    };
  const rows = (): number[] =>
    database
      .prepare("SELECT x FROM t ORDER BY x")
      .all()
      .map((row) => Number(row["x"]));

  beforeEach(() => {
    database = new DatabaseSync(":memory:");
    database.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)");
    group = new TransactionGroup(database, 100, toError, silentLogger);
  });
  afterEach(() => database.close());

  it("commits the writes of one turn together", async () => {
    const results = await Promise.all([group.write("a", insert(1)), group.write("b", insert(2, 3))]);
    expect(results).toEqual([1, 2]);
    expect(rows()).toEqual([1, 2, 3]);
    expect(database.isTransaction).toBe(false);
  });

  it("undoes a failing write alone, even what it wrote before it failed, and commits the others", async () => {
    const outcomes = await Promise.allSettled([
      group.write("first", insert(1)),
      // 5 is written, then 1 conflicts: the whole write is undone, 5 included.
      group.write("second", insert(5, 1)),
      group.write("third", insert(7)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const failure = outcomes[1];
    expect(failure?.status === "rejected" && failure.reason).toBeInstanceOf(StatusStoreError);
    expect(rows()).toEqual([1, 7]);
    expect(database.isTransaction).toBe(false);
  });

  it("fails a write alone in its group without leaving a transaction open", async () => {
    await group.write("seed", insert(1));
    await expect(group.write("duplicate", insert(1))).rejects.toBeInstanceOf(StatusStoreError);
    expect(database.isTransaction).toBe(false);
    await group.write("next", insert(2));
    expect(rows()).toEqual([1, 2]);
  });

  it("runs no write twice to the database when every write succeeds", async () => {
    let runs = 0;
    await Promise.all(
      [1, 2, 3].map((value) =>
        group.write("counted", () => {
          runs++;
          return insert(value)();
        }),
      ),
    );
    expect(runs).toBe(3);
  });
});
