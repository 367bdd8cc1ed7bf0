/** Opening status stores by URL: each scheme names its family, anything else is a ConfigError naming the URL. */
import { describe, expect, it } from "vitest";
import { ConfigError, openStatusStore, statusStoreKind } from "thrift-queue";
import { sqliteStatusStoreUrl } from "../../../src/status/sqlite/sqlite-status-options.ts";

describe("statusStoreKind", () => {
  it("names the family of each scheme", () => {
    expect(statusStoreKind("memory:").kind).toBe("memory");
    expect(statusStoreKind("memory://shared").kind).toBe("memory");
    expect(statusStoreKind("sqlite:.data/status.db").kind).toBe("sqlite");
    expect(statusStoreKind("sqlite:///var/lib/status.db").url.pathname).toBe("/var/lib/status.db");
    expect(statusStoreKind("postgres://user@localhost:5432/db").kind).toBe("postgres");
    expect(statusStoreKind("postgresql://localhost/db").kind).toBe("postgres");
    expect(statusStoreKind("postgres:").kind).toBe("postgres");
    expect(statusStoreKind("dynamodb://jobs?region=eu-west-1").kind).toBe("dynamodb");
    expect(statusStoreKind("SQLITE:x.db").kind).toBe("sqlite");
  });

  it("refuses what is not a URL or not a store scheme, quoting the URL", () => {
    for (const text of ["", "status.db", "not a url", "redis://localhost", "http://example.test/", "sqlite"]) {
      let thrown: unknown;
      try {
        statusStoreKind(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, text).toBeInstanceOf(ConfigError);
      expect(thrown, text).toMatchObject({ code: "CONFIG_INVALID" });
      expect((thrown as Error).message, text).toContain(JSON.stringify(text));
    }
  });
});

describe("openStatusStore", () => {
  it("opens memory stores, fresh or shared by name", async () => {
    const fresh = await openStatusStore("memory:");
    const other = await openStatusStore("memory:");
    const named = await openStatusStore("memory://open-status-store-test");
    const sameName = await openStatusStore("memory://open-status-store-test");
    expect(fresh.kind).toBe("memory");
    await fresh.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: 1 }]);
    await named.enqueued([{ id: "b", service: "S", method: "m", enqueuedAt: 1 }]);
    expect(await other.get("a")).toBeUndefined();
    expect((await sameName.get("b"))?.id).toBe("b");
    await Promise.all([fresh, other, named, sameName].map((store) => store.close()));
  });

  it("rejects a bad URL with a ConfigError rather than throwing synchronously", async () => {
    const opening = openStatusStore("ftp://nowhere");
    expect(opening).toBeInstanceOf(Promise);
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
  });

  it("rejects bad sqlite: URLs with a ConfigError before touching any file", async () => {
    const urls = [
      "sqlite:",
      "sqlite://somehost/file.db",
      "sqlite:x.db?unknown=1",
      "sqlite:x.db?tablePrefix=1x",
      "sqlite:x.db?checkpoints=sometimes",
    ];
    for (const url of urls) {
      await expect(openStatusStore(url), url).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    }
  });

  it("reads checkpoints= into the SQLite store's options", () => {
    expect(sqliteStatusStoreUrl(new URL("sqlite:x.db?checkpoints=inline"), undefined).options).toMatchObject({
      path: "x.db",
      checkpoints: "inline",
    });
  });
});
