/**
 * Micro-benchmark of the protocol layer alone: a small struct encoded and decoded by hand-written calls (what
 * generated code does), for both protocols. Run: `node bench/protocol-micro.ts [binary|compact|both] [seconds]`.
 */
import { BinaryReader } from "../src/codec/binary-reader.ts";
import { BinaryWriter } from "../src/codec/binary-writer.ts";
import { CompactReader } from "../src/codec/compact-reader.ts";
import { CompactWriter } from "../src/codec/compact-writer.ts";
import { TType } from "../src/codec/protocol.ts";
import type { ProtocolReader, ProtocolWriter } from "../src/codec/protocol.ts";

interface Address {
  city: string;
  zip: number;
}
interface User {
  id: string;
  name: string;
  email: string;
  createdAt: bigint;
  role: number;
  tags: string[];
  attrs: Map<string, string>;
  address: Address;
  active: boolean;
}

const user: User = {
  id: "user-123",
  name: "Ada Lovelace",
  email: "ada@example.com",
  createdAt: 1700000000123n,
  role: 2,
  tags: ["admin", "dev", "ops"],
  attrs: new Map([
    ["team", "core"],
    ["tz", "UTC"],
  ]),
  address: { city: "London", zip: 44 },
  active: true,
};

function encodeUser(w: ProtocolWriter, u: User): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(u.id);
  w.writeFieldBegin(TType.STRING, 2);
  w.writeString(u.name);
  w.writeFieldBegin(TType.STRING, 3);
  w.writeString(u.email);
  w.writeFieldBegin(TType.I64, 4);
  w.writeI64(u.createdAt);
  w.writeFieldBegin(TType.I32, 5);
  w.writeI32(u.role);
  w.writeFieldBegin(TType.LIST, 6);
  w.writeListBegin(TType.STRING, u.tags.length);
  for (const t of u.tags) w.writeString(t);
  w.writeFieldBegin(TType.MAP, 7);
  w.writeMapBegin(TType.STRING, TType.STRING, u.attrs.size);
  for (const [k, v] of u.attrs) {
    w.writeString(k);
    w.writeString(v);
  }
  w.writeFieldBegin(TType.STRUCT, 8);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(u.address.city);
  w.writeFieldBegin(TType.I32, 2);
  w.writeI32(u.address.zip);
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeFieldBegin(TType.BOOL, 9);
  w.writeBool(u.active);
  w.writeFieldStop();
  w.writeStructEnd();
}

function decodeAddress(r: ProtocolReader): Address {
  let city = "";
  let zip = 0;
  r.readStructBegin();
  for (;;) {
    const t = r.readFieldBegin();
    if (t === TType.STOP) break;
    const id = r.fieldId;
    if (id === 1 && t === TType.STRING) city = r.readString();
    else if (id === 2 && t === TType.I32) zip = r.readI32();
    else r.skip(t);
  }
  r.readStructEnd();
  return { city, zip };
}

function decodeUser(r: ProtocolReader): User {
  const u: User = {
    id: "",
    name: "",
    email: "",
    createdAt: 0n,
    role: 0,
    tags: [],
    attrs: new Map(),
    address: { city: "", zip: 0 },
    active: false,
  };
  r.readStructBegin();
  for (;;) {
    const t = r.readFieldBegin();
    if (t === TType.STOP) break;
    switch (r.fieldId) {
      case 1:
        u.id = r.readString();
        break;
      case 2:
        u.name = r.readString();
        break;
      case 3:
        u.email = r.readString();
        break;
      case 4:
        u.createdAt = r.readI64();
        break;
      case 5:
        u.role = r.readI32();
        break;
      case 6: {
        const n = r.readListBegin();
        const tags = new Array<string>(n);
        for (let i = 0; i < n; i++) tags[i] = r.readString();
        r.readContainerEnd();
        u.tags = tags;
        break;
      }
      case 7: {
        const n = r.readMapBegin();
        for (let i = 0; i < n; i++) u.attrs.set(r.readString(), r.readString());
        r.readContainerEnd();
        break;
      }
      case 8:
        u.address = decodeAddress(r);
        break;
      case 9:
        u.active = r.readBool();
        break;
      default:
        r.skip(t);
    }
  }
  r.readStructEnd();
  return u;
}

/**
 * `batch(n)` runs the operation n times; the loop lives in the case's own closure so each case JITs alone.
 * Reports the median of 5 rounds, in operations per second of CPU time (this process's user+system time), which
 * is far steadier than wall time on shared machines.
 */
function measure(label: string, seconds: number, batch: (n: number) => void): void {
  batch(300_000); // warm up the optimizing tiers
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    let ops = 0;
    const start = process.cpuUsage();
    const budgetMicros = (seconds / 5) * 1e6;
    let spent = 0;
    while (spent < budgetMicros) {
      batch(10_000);
      ops += 10_000;
      const used = process.cpuUsage(start);
      spent = used.user + used.system;
    }
    rates.push((ops / spent) * 1e6);
  }
  rates.sort((x, y) => x - y);
  const perSec = rates[2]!;
  console.log(`${label.padEnd(34)} ${(perSec / 1e6).toFixed(2)} M ops/s  (${(1e9 / perSec).toFixed(0)} ns/op)`);
}

// Usage: node bench/protocol-micro.ts [binary|compact|both] [seconds-per-case]. One protocol per process keeps
// call sites monomorphic, as in an application that speaks one protocol; "both" shows the mixed case.
const which = process.argv[2] ?? "both";
const seconds = Number(process.argv[3] ?? "2");
let sink = 0;
const cases = [
  ["binary", new BinaryWriter(), (b: Uint8Array) => new BinaryReader(b)],
  ["compact", new CompactWriter(), (b: Uint8Array) => new CompactReader(b)],
] as const;
for (const [name, writer, makeReader] of cases) {
  if (which !== "both" && which !== name) continue;
  encodeUser(writer, user);
  const bytes = writer.finish();
  console.log(`${name}: ${bytes.length} bytes`);
  measure(`${name} encode (write+finish)`, seconds, (n) => {
    for (let i = 0; i < n; i++) {
      encodeUser(writer, user);
      sink += writer.finish().length;
    }
  });
  measure(`${name} decode (new reader+read)`, seconds, (n) => {
    for (let i = 0; i < n; i++) sink += decodeUser(makeReader(bytes)).role;
  });
  measure(`${name} skip (new reader+skip)`, seconds, (n) => {
    for (let i = 0; i < n; i++) {
      const r = makeReader(bytes);
      r.skip(TType.STRUCT);
      sink += r.remaining;
    }
  });
}
if (sink === 42) console.log("");
