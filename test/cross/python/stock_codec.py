#!/usr/bin/python3
"""The stock Apache Thrift (Python) side of test/integration/cross-python-generated.test.ts.

Usage: stock_codec.py <dir>, where <dir> holds the output of `thrift -r --gen py -out <dir> <file.thrift>`.
Reads one JSON batch on stdin and prints one JSON answer per request, in order, so that the test spawns Python
once per IDL rather than once per value:

  {"modules": {"<thrift-queue module>": "<python package>"}, "unions": ["module.Name"], "requests": [...]}

Every request runs through both Apache protocol implementations ("pure": TBinaryProtocol/TCompactProtocol,
"accelerated": the fastbinary C extension behind TBinaryProtocolAccelerated/TCompactProtocolAccelerated) unless
it lists "flavours". Only the classes `thrift --gen py` generated are used to read and write values, messages
are written by the generated `Client.send_<method>` (wrapped in TMultiplexedProtocol when multiplexed) and
dispatched by the generated `Processor` (behind a TMultiplexedProcessor when multiplexed).

Values cross the process boundary in a JSON form both sides build independently, driven by each class's
`thrift_spec` here and by the runtime types in TypeScript: bool and numbers as JSON (doubles NaN, Infinity,
-Infinity and -0 as those strings), i64 as decimal strings, strings as strings, binary as {"$bytes": base64},
lists as arrays, sets as {"$set": [...]} (in iteration order), maps as {"$map": [[key, value], ...]} and structs
as objects of their set fields. `$` cannot start a Thrift identifier, so the tags never clash with field names.

Two documented quirks of Apache's Python generator are handled here, not hidden: generated unions give their
fields' IDL defaults in the constructor (so a decoded `Shape(point=...)` also holds `radius=1.0` and would be
written back as two fields); unions are therefore built with every other field None, and a decoded union reports
(and is re-encoded with) only the field that is not merely its constructor default. Fields with implicit
(negative) ids are missing from `thrift_spec`, so their values are converted by their Python type.
"""

import base64
import importlib
import json
import logging
import math
import sys
import traceback

from thrift.protocol.TBinaryProtocol import TBinaryProtocol, TBinaryProtocolAccelerated
from thrift.protocol.TCompactProtocol import TCompactProtocol, TCompactProtocolAccelerated
from thrift.protocol.TMultiplexedProtocol import TMultiplexedProtocol
from thrift.Thrift import TException, TType
from thrift.TMultiplexedProcessor import TMultiplexedProcessor
from thrift.transport.TTransport import TMemoryBuffer

PROTOCOLS = {
    ("binary", "pure"): TBinaryProtocol,
    ("compact", "pure"): TCompactProtocol,
    ("binary", "accelerated"): lambda trans: TBinaryProtocolAccelerated(trans, fallback=False),
    ("compact", "accelerated"): lambda trans: TCompactProtocolAccelerated(trans, fallback=False),
}
FLAVOURS = ("pure", "accelerated")
SPECIAL_DOUBLES = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf"), "-0": -0.0}


class Context:
    """Finds generated classes by thrift-queue's qualified names (`module.Name`)."""

    def __init__(self, modules, unions):
        self.modules = modules
        self.unions = {self.struct_class(name) for name in unions}

    def package(self, qualified):
        module, _, name = qualified.rpartition(".")
        return self.modules[module], name

    def struct_class(self, qualified):
        package, name = self.package(qualified)
        return getattr(importlib.import_module(package + ".ttypes"), name)

    def service_module(self, qualified):
        package, name = self.package(qualified)
        return importlib.import_module(package + "." + name)

    def method_class(self, service_module, method, suffix):
        """The `<method>_args`/`_result` class, found in the service or the one it extends (Client's bases)."""
        for client in service_module.Client.__mro__:
            found = getattr(sys.modules[client.__module__], method + suffix, None)
            if found is not None:
                return found
        raise KeyError("no %s%s in %s or the services it extends" % (method, suffix, service_module.__name__))


# ---- values <-> the shared JSON form ----


def spec_fields(cls):
    """name -> (ttype, type_args, default) of every field thrift_spec describes."""
    return {entry[2]: (entry[1], entry[3], entry[4]) for entry in cls.thrift_spec if entry is not None}


def double_rep(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 and math.copysign(1.0, value) < 0:
        return "-0"
    return value


def to_rep(ctx, value, ttype, type_args):
    if ttype == TType.I64:
        return str(value)
    if ttype == TType.DOUBLE:
        return double_rep(value)
    if ttype == TType.STRING:
        return {"$bytes": base64.b64encode(value).decode("ascii")} if type_args == "BINARY" else value
    if ttype == TType.LIST:
        return [to_rep(ctx, item, type_args[0], type_args[1]) for item in value]
    if ttype == TType.SET:
        return {"$set": [to_rep(ctx, item, type_args[0], type_args[1]) for item in value]}
    if ttype == TType.MAP:
        key_type, key_args, value_type, value_args = type_args[:4]
        return {"$map": [[to_rep(ctx, k, key_type, key_args), to_rep(ctx, v, value_type, value_args)]
                         for k, v in value.items()]}
    if ttype == TType.STRUCT:
        return struct_rep(ctx, value)
    return value  # bool, byte, i16, i32 (and enums)


def untyped_rep(ctx, value):
    """For fields thrift_spec cannot describe (negative ids): by Python type; ints are taken as i32."""
    if isinstance(value, float):
        return double_rep(value)
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if hasattr(value, "thrift_spec"):
        return struct_rep(ctx, value)
    if isinstance(value, (bool, int, str)):
        return value
    raise TypeError("cannot describe %r without thrift_spec" % (value,))


def union_extra_defaults(ctx, obj):
    """Names of a union's fields that hold only their constructor default while another field is set."""
    if type(obj) not in ctx.unions:
        return set()
    fields = spec_fields(type(obj))
    present = [name for name, value in vars(obj).items() if value is not None]
    if len(present) < 2:
        return set()
    return {name for name in present if name in fields and fields[name][2] is not None
            and getattr(obj, name) == fields[name][2]}


def struct_rep(ctx, obj):
    fields = spec_fields(type(obj))
    skip = union_extra_defaults(ctx, obj)
    out = {}
    for name, value in vars(obj).items():
        if value is None or name in skip:
            continue
        out[name] = to_rep(ctx, value, *fields[name][:2]) if name in fields else untyped_rep(ctx, value)
    return out


def from_rep(ctx, rep, ttype, type_args, ordered_sets):
    """Builds a Python value. ordered_sets keeps set order (any iterable with len() is written as a set)."""
    if ttype == TType.I64:
        return int(rep)
    if ttype == TType.DOUBLE:
        return SPECIAL_DOUBLES[rep] if isinstance(rep, str) else float(rep)
    if ttype == TType.STRING:
        return base64.b64decode(rep["$bytes"]) if type_args == "BINARY" else rep
    if ttype == TType.LIST:
        return [from_rep(ctx, item, type_args[0], type_args[1], ordered_sets) for item in rep]
    if ttype == TType.SET:
        items = [from_rep(ctx, item, type_args[0], type_args[1], ordered_sets) for item in rep["$set"]]
        return dict.fromkeys(items).keys() if ordered_sets else set(items)
    if ttype == TType.MAP:
        key_type, key_args, value_type, value_args = type_args[:4]
        return {from_rep(ctx, k, key_type, key_args, ordered_sets): from_rep(ctx, v, value_type, value_args,
                                                                              ordered_sets)
                for k, v in rep["$map"]}
    if ttype == TType.STRUCT:
        return struct_from_rep(ctx, type_args[0], rep, ordered_sets, exact=False)
    return rep


def untyped_from_rep(rep):
    if isinstance(rep, (bool, int, float, str)):
        return rep
    raise TypeError("cannot build %r without thrift_spec" % (rep,))


def struct_from_rep(ctx, cls, rep, ordered_sets, exact):
    """cls(**fields): absent fields keep the constructor's defaults, except when exact and always for unions."""
    fields = spec_fields(cls)
    kwargs = {name: None for name in fields} if exact or cls in ctx.unions else {}
    for name, value in rep.items():
        kwargs[name] = (from_rep(ctx, value, fields[name][0], fields[name][1], ordered_sets) if name in fields
                        else untyped_from_rep(value))
    return cls(**kwargs)


def drop_union_defaults(ctx, value, ttype, type_args):
    """Clears, in place, the constructor defaults decoded unions carry beside their wire field (see above)."""
    if ttype in (TType.LIST, TType.SET):
        for item in value:
            drop_union_defaults(ctx, item, type_args[0], type_args[1])
    elif ttype == TType.MAP:
        for k, v in value.items():
            drop_union_defaults(ctx, k, type_args[0], type_args[1])
            drop_union_defaults(ctx, v, type_args[2], type_args[3])
    elif ttype == TType.STRUCT:
        for name in union_extra_defaults(ctx, value):
            setattr(value, name, None)
        fields = spec_fields(type(value))
        for name, field_value in vars(value).items():
            if field_value is not None and name in fields:
                drop_union_defaults(ctx, field_value, *fields[name][:2])


# ---- reading and writing with the generated classes ----


def protocol_for(protocol, flavour, trans):
    return PROTOCOLS[(protocol, flavour)](trans)


def read_struct(cls, proto):
    if issubclass(cls, TException):  # generated exceptions are immutable and read by a classmethod
        return cls.read(proto)
    obj = cls()
    obj.read(proto)
    return obj


def write_struct(obj, protocol, flavour):
    buf = TMemoryBuffer()
    obj.write(protocol_for(protocol, flavour, buf))
    return buf.getvalue().hex()


def unread(buf):
    """How many bytes are left after what was read."""
    return len(buf.read(len(buf.getvalue())))


def decode_struct(ctx, request, flavour):
    """Stock-decodes our bytes; re-encodes the decoded object and, separately, the expected value."""
    cls = ctx.struct_class(request["type"])
    buf = TMemoryBuffer(bytes.fromhex(request["hex"]))
    obj = read_struct(cls, protocol_for(request["protocol"], flavour, buf))
    drop_union_defaults(ctx, obj, TType.STRUCT, [cls, None])
    expected = struct_from_rep(ctx, cls, request["value"], ordered_sets=True, exact=True)
    return {
        "value": struct_rep(ctx, obj),
        "unread": unread(buf),
        "reencoded": write_struct(obj, request["protocol"], flavour),
        "fromValue": write_struct(expected, request["protocol"], flavour),
    }


def encode_struct(ctx, request, flavour):
    """Builds the value as a Python user would (constructor defaults apply) and writes it."""
    cls = ctx.struct_class(request["type"])
    obj = struct_from_rep(ctx, cls, request["value"], ordered_sets=False, exact=False)
    encoded = write_struct(obj, request["protocol"], flavour)
    decoded = read_struct(cls, protocol_for(request["protocol"], flavour, TMemoryBuffer(bytes.fromhex(encoded))))
    return {"hex": encoded, "value": struct_rep(ctx, decoded)}


def send_call(ctx, service_module, method, args_obj, protocol, flavour, multiplexed_as, seqid):
    """Writes a call with the generated Client.send_<method> over a TMemoryBuffer."""
    buf = TMemoryBuffer()
    proto = protocol_for(protocol, flavour, buf)
    if multiplexed_as is not None:
        proto = TMultiplexedProtocol(proto, multiplexed_as)
    client = service_module.Client(proto)
    client._seqid = seqid
    names = spec_fields(type(args_obj))
    getattr(client, "send_" + method)(**{name: getattr(args_obj, name) for name in names})
    return buf.getvalue().hex()


def read_message(ctx, service_qualified, protocol, flavour, data):
    """Reads a message header like TMultiplexedProcessor does (`Service:method`), then the `_args` struct."""
    buf = TMemoryBuffer(data)
    proto = protocol_for(protocol, flavour, buf)
    name, mtype, seqid = proto.readMessageBegin()
    service, separator, method = name.rpartition(":")
    module = ctx.service_module(service_qualified)
    if separator and service != module.__name__.rpartition(".")[2]:
        raise ValueError("message for service %r, expected %r" % (service, service_qualified))
    args_cls = ctx.method_class(module, method, "_args")
    args = read_struct(args_cls, proto)
    proto.readMessageEnd()
    header = {"name": name, "type": mtype, "seqid": seqid, "service": service if separator else None,
              "method": method}
    return module, args_cls, args, header, unread(buf)


def decode_message(ctx, request, flavour):
    protocol = request["protocol"]
    module, args_cls, args, header, remaining = read_message(ctx, request["service"], protocol, flavour,
                                                             bytes.fromhex(request["hex"]))
    drop_union_defaults(ctx, args, TType.STRUCT, [args_cls, None])
    expected = struct_from_rep(ctx, args_cls, request["args"], ordered_sets=True, exact=True)
    method = header["method"]
    return dict(header, args=struct_rep(ctx, args), unread=remaining,
                resent=send_call(ctx, module, method, args, protocol, flavour, header["service"], header["seqid"]),
                fromValue=send_call(ctx, module, method, expected, protocol, flavour, header["service"],
                                    header["seqid"]))


def encode_call(ctx, request, flavour):
    """Python → TypeScript: a call written by the stock Client, and how Python itself reads it back."""
    protocol = request["protocol"]
    module = ctx.service_module(request["service"])
    args_cls = ctx.method_class(module, request["method"], "_args")
    args = struct_from_rep(ctx, args_cls, request["args"], ordered_sets=False, exact=True)
    service_name = module.__name__.rpartition(".")[2]
    encoded = send_call(ctx, module, request["method"], args, protocol, flavour,
                        service_name if request["multiplexed"] else None, request["seqid"])
    _, _, decoded, header, _ = read_message(ctx, request["service"], protocol, flavour, bytes.fromhex(encoded))
    return dict(header, hex=encoded, args=struct_rep(ctx, decoded))


class RecordingHandler:
    """A handler for the generated Processor: records each call's arguments and answers as told."""

    def __init__(self, ctx, module, respond):
        self.ctx, self.module, self.respond, self.calls = ctx, module, respond, []

    def __getattr__(self, method):
        def handle(*args):
            self.calls.append({"method": method, "args": [self.arg_rep(method, position, value)
                                                          for position, value in enumerate(args)]})
            return self.answer(method)
        return handle

    def arg_rep(self, method, position, value):
        # The Processor passes the arguments positionally in declaration order (ids ascending in our IDLs).
        entries = [entry for entry in self.ctx.method_class(self.module, method, "_args").thrift_spec if entry]
        return None if value is None else to_rep(self.ctx, value, entries[position][1], entries[position][3])

    def answer(self, method):
        if "internalError" in self.respond:
            raise RuntimeError("handler failure")  # becomes TApplicationException INTERNAL_ERROR
        result_fields = spec_fields(self.ctx.method_class(self.module, method, "_result"))
        if "exception" in self.respond:
            name = self.respond["exception"]["field"]
            ttype, type_args, _ = result_fields[name]
            raise from_rep(self.ctx, self.respond["exception"]["value"], ttype, type_args, ordered_sets=True)
        if "success" in self.respond:
            ttype, type_args, _ = result_fields["success"]
            return from_rep(self.ctx, self.respond["success"], ttype, type_args, ordered_sets=True)
        return None


def dispatch(ctx, request, flavour):
    """Runs the bytes through the generated Processor (multiplexed: registered in a TMultiplexedProcessor)."""
    module = ctx.service_module(request["service"])
    handler = RecordingHandler(ctx, module, request.get("respond", {}))
    processor = module.Processor(handler)
    if request["multiplexed"]:
        multiplexed = TMultiplexedProcessor()
        multiplexed.registerProcessor(module.__name__.rpartition(".")[2], processor)
        processor = multiplexed
    out = TMemoryBuffer()
    processor.process(protocol_for(request["protocol"], flavour, TMemoryBuffer(bytes.fromhex(request["hex"]))),
                      protocol_for(request["protocol"], flavour, out))
    return {"calls": handler.calls, "reply": out.getvalue().hex()}


OPERATIONS = {
    "decodeStruct": decode_struct,
    "encodeStruct": encode_struct,
    "decodeMessage": decode_message,
    "encodeCall": encode_call,
    "dispatch": dispatch,
}


def answer(ctx, request):
    try:
        operation = OPERATIONS[request["op"]]
        return {flavour: operation(ctx, request, flavour) for flavour in request.get("flavours", FLAVOURS)}
    except Exception:  # reported per request, so that one failure does not hide the others
        return {"error": traceback.format_exc()}


def main():
    sys.path.insert(0, sys.argv[1])
    logging.disable(logging.CRITICAL)  # the Processor logs the handler failures we provoke
    batch = json.load(sys.stdin)
    ctx = Context(batch["modules"], batch.get("unions", []))
    json.dump([answer(ctx, request) for request in batch["requests"]], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
