import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SettleBatch } from "../../../src/transport/sqlite/sqlite-settle-batch.ts";

describe("SQLite settlement batch", () => {
  let database: DatabaseSync;
  let batch: SettleBatch;
  const remove = (x: number) => () => Number(database.prepare("DELETE FROM t WHERE x = ?").run(x).changes) === 1;
  const rows = (): number[] =>
    database
      .prepare("SELECT x FROM t ORDER BY x")
      .all()
      .map((row) => Number(row["x"]));

  beforeEach(() => {
    database = new DatabaseSync(":memory:");
    database.exec("CREATE TABLE t (x INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3), (4)");
    batch = new SettleBatch(database, 2);
  });
  afterEach(() => database.close());

  it("settles the calls of one turn, in batches of at most maxBatchSize, each with its own result", async () => {
    const results = await Promise.all([batch.settle(remove(1)), batch.settle(remove(9)), batch.settle(remove(3))]);
    expect(results).toEqual([true, false, true]);
    expect(rows()).toEqual([2, 4]);
    expect(database.isTransaction).toBe(false);
  });

  it("rejects a failing settlement alone and commits the others", async () => {
    const failing = () => {
      database.prepare("INSERT INTO t VALUES (2)").run();
      return true;
    };
    const outcomes = await Promise.allSettled([batch.settle(remove(1)), batch.settle(failing)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected"]);
    expect(rows()).toEqual([2, 3, 4]);
    expect(database.isTransaction).toBe(false);
  });

  it("runs what is waiting when flushed", async () => {
    const settled = batch.settle(remove(4));
    batch.flush();
    expect(rows()).toEqual([1, 2, 3]);
    await expect(settled).resolves.toBe(true);
  });
});
