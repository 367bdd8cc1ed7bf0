#!/usr/bin/python3
"""Protocol-level golden vectors from Apache Thrift's pure-Python TBinaryProtocol and TCompactProtocol.

Each scenario is a list of protocol calls (JSON arrays such as ["fieldBegin", 11, 1] or ["i64", "-1"]). The script
replays every scenario through the Apache protocols over a TMemoryBuffer and prints JSON with the hex bytes, which
is checked in as test/golden/protocol/apache-python-vectors.json. The TypeScript tests replay the same calls through
our writers (expecting identical bytes) and readers (expecting the same values back).

With --stdin, encodes the scenarios given as JSON on stdin instead (same output format).

Regenerate (the tests compare parsed JSON, so prettier's reformatting is harmless):
  /usr/bin/python3 test/cross/python/protocol_vectors.py > test/golden/protocol/apache-python-vectors.json
  npx prettier --write test/golden/protocol/apache-python-vectors.json
"""

import json
import sys

from thrift.protocol.TBinaryProtocol import TBinaryProtocol
from thrift.protocol.TCompactProtocol import TCompactProtocol
from thrift.Thrift import TType
from thrift.transport.TTransport import TMemoryBuffer

STOP, BOOL, BYTE, DOUBLE, I16, I32, I64, STRING = 0, 2, 3, 4, 6, 8, 10, 11
STRUCT, MAP, SET, LIST = 12, 13, 14, 15
assert (TType.BOOL, TType.STRING, TType.LIST) == (BOOL, STRING, LIST)

SPECIAL_DOUBLES = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf"), "-0": -0.0}


def double_value(v):
    return SPECIAL_DOUBLES[v] if isinstance(v, str) else float(v)


def replay(proto, ops):
    """Calls the Apache protocol methods named by ops; thrift field/struct names are irrelevant on the wire."""
    for op in ops:
        kind, args = op[0], op[1:]
        if kind == "messageBegin":
            proto.writeMessageBegin(args[0], args[1], args[2])
        elif kind == "messageEnd":
            proto.writeMessageEnd()
        elif kind == "structBegin":
            proto.writeStructBegin("S")
        elif kind == "structEnd":
            proto.writeStructEnd()
        elif kind == "fieldBegin":
            proto.writeFieldBegin("f", args[0], args[1])
        elif kind == "fieldEnd":
            proto.writeFieldEnd()
        elif kind == "fieldStop":
            proto.writeFieldStop()
        elif kind == "mapBegin":
            proto.writeMapBegin(args[0], args[1], args[2])
        elif kind == "mapEnd":
            proto.writeMapEnd()
        elif kind == "listBegin":
            proto.writeListBegin(args[0], args[1])
        elif kind == "listEnd":
            proto.writeListEnd()
        elif kind == "setBegin":
            proto.writeSetBegin(args[0], args[1])
        elif kind == "setEnd":
            proto.writeSetEnd()
        elif kind == "bool":
            proto.writeBool(args[0])
        elif kind == "byte":
            proto.writeByte(args[0])
        elif kind == "i16":
            proto.writeI16(args[0])
        elif kind == "i32":
            proto.writeI32(args[0])
        elif kind == "i64":
            proto.writeI64(int(args[0]))
        elif kind == "double":
            proto.writeDouble(double_value(args[0]))
        elif kind == "string":
            proto.writeString(args[0])
        elif kind == "binary":
            proto.writeBinary(bytes.fromhex(args[0]))
        else:
            raise ValueError("unknown op %r" % (kind,))


def encode(factory, ops):
    buf = TMemoryBuffer()
    replay(factory(buf), ops)
    return buf.getvalue().hex()


# ---- scenario builders: each returns a list of ops ----


def field(ftype, fid, *value_ops):
    return [["fieldBegin", ftype, fid], *value_ops, ["fieldEnd"]]


def struct(*fields):
    ops = [["structBegin"]]
    for f in fields:
        ops += f
    return ops + [["fieldStop"], ["structEnd"]]


def message(name, mtype, seqid, body):
    return [["messageBegin", name, mtype, seqid]] + body + [["messageEnd"]]


def lst(etype, values, kind="list"):
    begin, end = ("listBegin", "listEnd") if kind == "list" else ("setBegin", "setEnd")
    ops = [[begin, etype, len(values)]]
    for v in values:
        ops += v if isinstance(v[0], list) else [v]
    return ops + [[end]]


def mp(ktype, vtype, pairs):
    ops = [["mapBegin", ktype, vtype, len(pairs)]]
    for k, v in pairs:
        ops += k if isinstance(k[0], list) else [k]
        ops += v if isinstance(v[0], list) else [v]
    return ops + [["mapEnd"]]


def scalar_struct(ftype, op, values):
    return struct(*[field(ftype, i + 1, [op, v]) for i, v in enumerate(values)])


def scenarios():
    s = {}
    s["byte boundaries"] = scalar_struct(BYTE, "byte", [-128, -1, 0, 1, 127])
    s["i16 boundaries"] = scalar_struct(I16, "i16", [-32768, -1, 0, 1, 63, 64, 32767])
    s["i32 boundaries"] = scalar_struct(I32, "i32", [-2147483648, -1, 0, 1, 63, -64, 64, 8191, 2147483647])
    i64s = [-(2**63), -(2**53) - 1, -(2**52), -(2**31) - 1, -(2**31), -1, 0, 1, 2**31 - 1, 2**31, 2**32,
            2**52 - 1, 2**52, 2**53, 2**53 + 1, 1700000000123, 2**63 - 1]
    s["i64 boundaries"] = scalar_struct(I64, "i64", [str(v) for v in i64s])
    s["doubles"] = scalar_struct(DOUBLE, "double", [0, "-0", 1.5, -1.5, "NaN", "Infinity", "-Infinity", 5e-324,
                                                    2.2250738585072014e-308, 1.7976931348623157e308, 0.1])
    s["bool fields"] = struct(field(BOOL, 1, ["bool", True]), field(BOOL, 2, ["bool", False]),
                              field(BOOL, 40, ["bool", True]), field(BOOL, 3, ["bool", False]),
                              field(BOOL, -7, ["bool", True]))
    strings = ["", "a", "hello", "h\u00e9llo", "\u65e5\u672c\u8a9e", "\U0001F600 astral \U0001D11E", "\ufeffbom",
               "x" * 42, "x" * 43, "\u00e9" * 42, "y" * 127, "y" * 128, "z" * 300, "\u20ac" * 100, "\u0000nul"]
    s["strings"] = scalar_struct(STRING, "string", strings)
    s["binary"] = scalar_struct(STRING, "binary", ["", "00", bytes(range(256)).hex()])
    s["field id deltas"] = struct(*[field(I32, fid, ["i32", fid]) for fid in
                                    [1, 2, 17, 33, 32767, -1, -32768, 5, 5, 0, 15, 30]])
    s["field id 15 and 16 from zero"] = struct(field(BYTE, 15, ["byte", 1])) + struct(field(BYTE, 16, ["byte", 2]))
    s["nested structs restore last field id"] = struct(
        field(I32, 10, ["i32", 1]),
        field(STRUCT, 11, *struct(field(STRING, 1, ["string", "in"]), field(STRUCT, 30, *struct(
            field(BOOL, 2, ["bool", True]))))),
        field(I32, 12, ["i32", 2]), field(BOOL, 13, ["bool", False]))
    s["empty struct"] = struct()
    s["list<string>"] = struct(field(LIST, 1, *lst(STRING, [["string", "a"], ["string", "b\u00e9"], ["string", ""]])))
    s["list sizes 0 14 15 16 200"] = struct(*[field(LIST, i + 1, *lst(I32, [["i32", j] for j in range(n)]))
                                              for i, n in enumerate([0, 14, 15, 16, 200])])
    s["set<i32>"] = struct(field(SET, 1, *lst(I32, [["i32", -3], ["i32", 0], ["i32", 99999]], kind="set")))
    s["bools in containers"] = struct(
        field(LIST, 1, *lst(BOOL, [["bool", True], ["bool", False], ["bool", True]])),
        field(SET, 2, *lst(BOOL, [["bool", False]], kind="set")),
        field(MAP, 3, *mp(BOOL, BOOL, [(["bool", True], ["bool", False]), (["bool", False], ["bool", True])])),
        field(BOOL, 4, ["bool", True]))
    s["map<string,string>"] = struct(field(MAP, 1, *mp(STRING, STRING, [(["string", "k1"], ["string", "v1"]),
                                                                     (["string", "k\u00e9"], ["string", ""])])))
    s["empty map"] = struct(field(MAP, 1, *mp(STRING, I64, [])), field(I32, 2, ["i32", 7]))
    s["map<i32,list<string>>"] = struct(field(MAP, 1, *mp(I32, LIST, [
        (["i32", 1], lst(STRING, [["string", "x"]])), (["i32", -1], lst(STRING, []))])))
    s["list<list<i32>>"] = struct(field(LIST, 1, *lst(LIST, [lst(I32, [["i32", 1], ["i32", 2]]), lst(I32, [])])))
    s["list<struct>"] = struct(field(LIST, 1, *lst(STRUCT, [struct(field(I32, 1, ["i32", 5])), struct(),
                                                            struct(field(BOOL, 20, ["bool", False]))])))
    s["list<map<string,i64>> with empty map"] = struct(field(LIST, 1, *lst(MAP, [
        mp(STRING, I64, [(["string", "a"], ["i64", "-2"])]), mp(STRING, I64, [])])))
    s["containers of double i64 binary byte i16"] = struct(
        field(LIST, 1, *lst(DOUBLE, [["double", 1.25], ["double", "-0"]])),
        field(LIST, 2, *lst(I64, [["i64", "-9223372036854775808"], ["i64", "42"]])),
        field(SET, 3, *lst(STRING, [["binary", "deadbeef"]], kind="set")),
        field(LIST, 4, *lst(BYTE, [["byte", -1], ["byte", 7]])),
        field(MAP, 5, *mp(I16, DOUBLE, [(["i16", -300], ["double", 2.5])])))
    s["small struct"] = small_struct()
    for mtype, name in [(1, "call"), (2, "reply"), (3, "exception"), (4, "oneway")]:
        for seqid in [0, 1, -1, 2147483647, -2147483648, 300]:
            s["message %s seqid %d" % (name, seqid)] = message("Service:method", mtype, seqid,
                                                             struct(field(STRING, 1, ["string", "arg"])))
    s["message unicode name"] = message("Sv\u00e9:m\u00e9thod", 1, 9, struct())
    s["message empty name"] = message("", 4, 0, struct())
    s["message with small struct"] = message("Users:getUser", 2, 77, struct(field(STRUCT, 0, *small_struct())))
    return s


def small_struct():
    """The benchmark shape: a few strings, an i64, an enum, list<string>, map<string,string>, a nested struct."""
    return struct(
        field(STRING, 1, ["string", "user-123"]),
        field(STRING, 2, ["string", "Ada Lovelace"]),
        field(STRING, 3, ["string", "ada@example.com"]),
        field(I64, 4, ["i64", "1700000000123"]),
        field(I32, 5, ["i32", 2]),
        field(LIST, 6, *lst(STRING, [["string", "admin"], ["string", "dev"], ["string", "ops"]])),
        field(MAP, 7, *mp(STRING, STRING, [(["string", "team"], ["string", "core"]),
                                           (["string", "tz"], ["string", "UTC"])])),
        field(STRUCT, 8, *struct(field(STRING, 1, ["string", "London"]), field(I32, 2, ["i32", 44]))),
        field(BOOL, 9, ["bool", True]))


def main():
    from importlib.metadata import version
    if sys.argv[1:] == ["--stdin"]:
        # Encode caller-supplied scenarios ({"scenarios": [{"name", "ops"}]}): the live integration test sends
        # randomly generated ones.
        source = [(s["name"], s["ops"]) for s in json.load(sys.stdin)["scenarios"]]
    else:
        source = list(scenarios().items())
    out = []
    for name, ops in source:
        entry = {
            "name": name,
            "ops": ops,
            "binary": encode(TBinaryProtocol, ops),
            "compact": encode(TCompactProtocol, ops),
        }
        if ops[0][0] == "messageBegin":
            entry["binaryNonStrict"] = encode(lambda t: TBinaryProtocol(t, strictWrite=False), ops)
        out.append(entry)
    doc = {
        "generator": "test/cross/python/protocol_vectors.py",
        "apacheThrift": "python thrift " + version("thrift"),
        "scenarios": out,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
