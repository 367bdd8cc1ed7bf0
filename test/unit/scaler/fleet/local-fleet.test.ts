import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterEach, describe, expect, it } from "vitest";
import { ScalerError } from "../../../../src/errors.ts";
import { LocalFleet } from "../../../../src/scaler/fleet/local/local-fleet.ts";
import { LocalInstanceFiles } from "../../../../src/scaler/fleet/local/local-instance-files.ts";

const action = (id: string) => ({ id, fencingToken: 7 });

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("LocalFleet", () => {
  const folders: string[] = [];
  const fleets: LocalFleet[] = [];
  afterEach(async () => {
    for (const fleet of fleets.splice(0)) {
      const instances = await fleet.list();
      await fleet.terminate(
        instances.map((instance) => instance.id),
        action("cleanup"),
      );
    }
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  async function makeFleet(script = "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)") {
    const folder = await mkdtemp(join(tmpdir(), "tq-local-fleet-"));
    folders.push(folder);
    const fleet = new LocalFleet({
      command: [process.execPath, "-e", `console.log(process.env.THRIFT_QUEUE_INSTANCE_ID); ${script}`],
      stateDirectory: join(folder, "state"),
    });
    fleets.push(fleet);
    return { fleet, folder, files: new LocalInstanceFiles(join(folder, "state")) };
  }

  it("starts one process per instance with its id in THRIFT_QUEUE_INSTANCE_ID, logging to a file each", async () => {
    const { fleet, folder } = await makeFleet();
    const launched = await fleet.launch(2, action("a1"));
    expect(launched.map((instance) => instance.id)).toEqual(["local-a1-0", "local-a1-1"]);
    expect((await fleet.list()).map((instance) => [instance.id, instance.phase])).toEqual([
      ["local-a1-0", "running"],
      ["local-a1-1", "running"],
    ]);
    const log = join(folder, "state", "logs", "local-a1-1.log");
    await until(async () => (await readFile(log, "utf8").catch(() => "")).includes("local-a1-1"), "the worker log");
  });

  it("launches nothing twice for one action id, even from a second fleet on the same folder", async () => {
    const { fleet, folder } = await makeFleet();
    await fleet.launch(2, action("same"));
    const again = await fleet.launch(2, action("same"));
    const other = new LocalFleet({ command: [process.execPath, "-e", ""], stateDirectory: join(folder, "state") });
    expect(again).toEqual([]);
    expect(await other.launch(2, action("same"))).toEqual([]);
    expect(await other.list()).toHaveLength(2);
  });

  it("marks drained instances, and terminate stops the process, after which it leaves the list", async () => {
    const { fleet } = await makeFleet();
    const [instance] = await fleet.launch(1, action("d"));
    await fleet.drain([instance!.id], action("d2"));
    expect((await fleet.list())[0]?.phase).toBe("draining");
    await fleet.terminate([instance!.id], action("d3"));
    await until(async () => (await fleet.list()).length === 0, "the process to exit");
    await fleet.terminate([instance!.id], action("d4"));
  });

  it("forgets processes that exited on their own", async () => {
    const { fleet, files } = await makeFleet("process.exit(0)");
    await fleet.launch(1, action("e"));
    await until(async () => (await fleet.list()).length === 0, "the process to exit");
    expect(await files.all()).toEqual([]);
  });

  it("recover replaces the process under the same instance id", async () => {
    const { fleet, files } = await makeFleet();
    const [instance] = await fleet.launch(1, action("r"));
    const before = await files.read(instance!.id);
    await fleet.recover(instance!.id, action("r2"));
    const after = await files.read(instance!.id);
    expect(after?.pid).not.toBe(before?.pid);
    expect((await fleet.list()).map((listed) => listed.id)).toEqual([instance!.id]);
  });

  it("needs a worker command", () => {
    expect(() => new LocalFleet({ command: [], stateDirectory: "/tmp/x" })).toThrow(ScalerError);
  });
});
