/** The blob stores: the folder store (untrusted keys never leave it) and the S3 store against fauxqs's S3. */
import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBlobKey, openBlobStore, type BlobStore } from "../../examples/grep/blob-store.ts";
import { FolderBlobStore } from "../../examples/grep/folder-blob-store.ts";
import { GrepError } from "../../examples/grep/grep-error.ts";
import { S3BlobStore } from "../../examples/grep/s3-blob-store.ts";
import { startTestFauxqs, type Fauxqs } from "../integration/sqs-fauxqs.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

const HOSTILE_KEYS = [
  "",
  "..",
  "../outside",
  "a/../../outside",
  "a/./b",
  "/etc/passwd",
  "a//b",
  "a/",
  "a\\..\\b",
  "..\\outside",
  "%2e%2e/outside",
  "a\u0000b",
  "a\nb",
  "C:/windows",
  "é/x",
  "x".repeat(513),
];

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GrepError);
  expect((error as GrepError).code).toBe(code);
}

/** What every blob store must do. */
function blobStoreBehaviour(open: () => BlobStore): void {
  it("puts, gets, overwrites and lists by prefix, sorted", async () => {
    const store = open();
    await store.put("documents/set/b.log", bytes("bee"));
    await store.put("documents/set/a.log", bytes("ay"));
    await store.put("documents/other/c.log", bytes("sea"));
    await store.put("results/s/0.json", bytes("{}"));
    await store.put("documents/set/a.log", bytes("ay again"));
    expect(text(await store.get("documents/set/a.log"))).toBe("ay again");
    expect(await store.list("documents/set/")).toEqual(["documents/set/a.log", "documents/set/b.log"]);
    expect(await store.list("documents/")).toEqual([
      "documents/other/c.log",
      "documents/set/a.log",
      "documents/set/b.log",
    ]);
    expect(await store.list("documents/se")).toEqual(["documents/set/a.log", "documents/set/b.log"]);
    expect(await store.list("nothing/")).toEqual([]);
  });

  it("stores binary bytes unchanged and empty blobs", async () => {
    const store = open();
    const data = Uint8Array.from({ length: 256 }, (_, index) => index);
    await store.put("bin/all-bytes", data);
    await store.put("bin/empty", new Uint8Array());
    expect(await store.get("bin/all-bytes")).toEqual(data);
    expect(await store.get("bin/empty")).toEqual(new Uint8Array());
  });

  it("rejects a missing key with BLOB_NOT_FOUND", async () => {
    await rejectsWith(open().get("documents/none.log"), "BLOB_NOT_FOUND");
  });

  it.each(HOSTILE_KEYS)("refuses the key %j on get, put and list", async (key) => {
    const store = open();
    await rejectsWith(store.get(key), "BLOB_INVALID_KEY");
    await rejectsWith(store.put(key, bytes("x")), "BLOB_INVALID_KEY");
    if (key !== "" && key !== "a/") await rejectsWith(store.list(key), "BLOB_INVALID_KEY");
  });
}

describe("FolderBlobStore", () => {
  let parent: string;
  let root: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), "grep-blobs-"));
    root = join(parent, "store");
    await writeFile(join(parent, "outside"), "secret");
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  blobStoreBehaviour(() => new FolderBlobStore(root));

  it("never writes outside its folder, whatever the keys tried", async () => {
    expect((await readdir(parent)).sort()).toEqual(["outside", "store"]);
  });

  it("leaves no temporary files and ignores stray ones in listings", async () => {
    const store = new FolderBlobStore(root);
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.put("race/same", bytes(String(index)))));
    expect(await readdir(join(root, "race"))).toEqual(["same"]);
    await writeFile(join(root, "race", "half.tmp"), "partial");
    expect(await store.list("race/")).toEqual(["race/same"]);
  });

  it("answers BLOB_NOT_FOUND for a folder, and is opened from file: URLs", async () => {
    await mkdir(join(root, "folder"), { recursive: true });
    const store = await openBlobStore(`file:${root}`);
    await rejectsWith(store.get("folder"), "BLOB_NOT_FOUND");
    expect(store.kind).toBe("file");
    await rejectsWith(openBlobStore("ftp://x"), "BLOB_INVALID_URL");
    await rejectsWith(openBlobStore("file:"), "BLOB_INVALID_URL");
  });
});

describe("checkBlobKey", () => {
  it("accepts plain relative keys and prefixes", () => {
    expect(checkBlobKey("documents/sample/access-2026-01-01.log")).toBe("documents/sample/access-2026-01-01.log");
    expect(checkBlobKey("documents/", "prefix")).toBe("documents/");
    expect(checkBlobKey("", "prefix")).toBe("");
    expect(() => checkBlobKey(42)).toThrow(GrepError);
  });
});

describe("S3BlobStore (fauxqs)", () => {
  let fauxqs: Fauxqs;

  beforeAll(async () => {
    fauxqs = await startTestFauxqs();
    await fauxqs.createBucket("grep-blobs");
  });
  afterAll(() => fauxqs.stop());

  blobStoreBehaviour(() => new S3BlobStore({ bucket: "grep-blobs", prefix: "run-1", client: fauxqs.s3 }));

  it("keeps each store's keys under its prefix", async () => {
    const first = new S3BlobStore({ bucket: "grep-blobs", prefix: "tenant-a/grep", client: fauxqs.s3 });
    const second = new S3BlobStore({ bucket: "grep-blobs", prefix: "tenant-b", client: fauxqs.s3 });
    await first.put("documents/x.log", bytes("a"));
    await second.put("documents/x.log", bytes("b"));
    expect(await first.list("")).toEqual(["documents/x.log"]);
    expect(text(await second.get("documents/x.log"))).toBe("b");
  });

  it("is opened from an s3:// URL with an endpoint", async () => {
    const previous = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };
    process.env["AWS_ACCESS_KEY_ID"] = "test";
    process.env["AWS_SECRET_ACCESS_KEY"] = "test";
    try {
      const store = await openBlobStore(`s3://grep-blobs/from-url?region=us-east-1&endpoint=${fauxqs.endpoint}`);
      await store.put("k/v", bytes("value"));
      expect(text(await store.get("k/v"))).toBe("value");
      expect(await store.list("k/")).toEqual(["k/v"]);
      await store.close();
    } finally {
      restore("AWS_ACCESS_KEY_ID", previous.id);
      restore("AWS_SECRET_ACCESS_KEY", previous.secret);
    }
    await rejectsWith(openBlobStore("s3:///no-bucket"), "BLOB_INVALID_URL");
  });

  it("reports an unreachable S3 as BLOB_UNAVAILABLE", async () => {
    const store = new S3BlobStore({ bucket: "no-such-bucket", client: fauxqs.s3 });
    await rejectsWith(store.put("a", bytes("x")), "BLOB_UNAVAILABLE");
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
