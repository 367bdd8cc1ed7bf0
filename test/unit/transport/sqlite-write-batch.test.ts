import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WriteBatch } from "../../../src/transport/sqlite/sqlite-write-batch.ts";

describe("SQLite write batch", () => {
  let database: DatabaseSync;
  let batch: WriteBatch;
  const remove = (x: number) => () => Number(database.prepare("DELETE FROM t WHERE x = ?").run(x).changes) === 1;
  const insert =
    (...values: number[]) =>
    () => {
      for (const value of values) database.prepare("INSERT INTO t VALUES (?)").run(value);
      return values.length;
    };
  const rows = (): number[] =>
    database
      .prepare("SELECT x FROM t ORDER BY x")
      .all()
      .map((row) => Number(row["x"]));

  beforeEach(() => {
    database = new DatabaseSync(":memory:");
    database.exec("CREATE TABLE t (x INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3), (4)");
    batch = new WriteBatch(database, 2);
  });
  afterEach(() => database.close());

  it("runs the writes of one turn, in batches of at most maxBatchSize, each with its own result", async () => {
    const results = await Promise.all([batch.write(remove(1)), batch.write(remove(9)), batch.write(insert(7, 8))]);
    expect(results).toEqual([true, false, 2]);
    expect(rows()).toEqual([2, 3, 4, 7, 8]);
    expect(database.isTransaction).toBe(false);
  });

  it("undoes a failing write alone, even what it wrote before it failed, and commits the others", async () => {
    const outcomes = await Promise.allSettled([
      batch.write(remove(1)),
      // 5 is written, then 2 conflicts: the whole write is undone, 5 included.
      batch.write(insert(5, 2)),
      batch.write(insert(6)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(rows()).toEqual([2, 3, 4, 6]);
    expect(database.isTransaction).toBe(false);
  });

  it("runs every write once when none fails", async () => {
    let runs = 0;
    const counted = (x: number) => () => {
      runs++;
      return remove(x)();
    };
    await Promise.all([batch.write(counted(1)), batch.write(counted(2))]);
    expect(runs).toBe(2);
  });

  it("runs what is waiting when flushed", async () => {
    const written = batch.write(remove(4));
    batch.flush();
    expect(rows()).toEqual([1, 2, 3]);
    await expect(written).resolves.toBe(true);
  });
});
