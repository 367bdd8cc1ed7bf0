import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PositionalStatement } from "../../../src/sqlite/positional-statement.js";

describe("PositionalStatement", () => {
  let database: DatabaseSync;

  beforeEach(() => {
    database = new DatabaseSync(":memory:");
    database.exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)");
  });
  afterEach(() => database.close());

  it("binds named values by position and reports changed rows", () => {
    const insert = new PositionalStatement(database, "INSERT INTO t (a, b, c) VALUES (:a, :b, :c)");
    expect(insert.run({ c: "z", a: 1, b: "y" })).toBe(1);
    expect(database.prepare("SELECT a, b, c FROM t").all()).toEqual([{ a: 1, b: "y", c: "z" }]);
  });

  it("keeps one number for a name used twice", () => {
    const insert = new PositionalStatement(database, "INSERT INTO t (a, b, c) VALUES (:a, :b, :b)");
    insert.run({ a: 2, b: "same" });
    expect(database.prepare("SELECT b, c FROM t").get()).toEqual({ b: "same", c: "same" });
  });

  it("binds NULL for a missing name and ignores extra ones", () => {
    const insert = new PositionalStatement(database, "INSERT INTO t (a, b) VALUES (:a, :b)");
    insert.run({ a: 3, unrelated: "x" });
    expect(database.prepare("SELECT a, b FROM t").get()).toEqual({ a: 3, b: null });
  });

  it("returns the first row with get and every row with all", () => {
    const insert = new PositionalStatement(database, "INSERT INTO t (a) VALUES (:a)");
    for (const a of [1, 2, 3]) insert.run({ a });
    const select = new PositionalStatement(database, "SELECT a FROM t WHERE a >= :min ORDER BY a");
    expect(select.get({ min: 2 })).toEqual({ a: 2 });
    expect(select.all({ min: 2 })).toEqual([{ a: 2 }, { a: 3 }]);
    expect(select.get({ min: 9 })).toBeUndefined();
  });

  it("leaves a colon that no name follows as it is", () => {
    const select = new PositionalStatement(database, "SELECT '12:' || :x AS v");
    expect(select.get({ x: "30" })).toEqual({ v: "12:30" });
  });
});
