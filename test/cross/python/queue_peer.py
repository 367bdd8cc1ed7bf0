#!/usr/bin/python3
"""A Python worker and producer for thrift-queue's queues, written from docs/wire-format.md ("On each transport")
alone; test/integration/cross-python-transports.test.ts drives it.

Usage: queue_peer.py <generated dir> <command>

<generated dir> holds the output of `thrift -r --gen py` for idl/jobs.thrift. The command reads one JSON request
on stdin and prints its JSON answer on stdout (http-serve first prints {"port": N} on a line of its own, once it
listens). Nothing but the standard library, stock Apache Thrift (Debian's python3-thrift) and pika is used:

  sqs-receive   ReceiveMessage over SQS's JSON protocol (urllib), S3 pointers followed with a path-style GET,
                every message decoded and checked, then DeleteMessage (and the S3 object deleted)
  sqs-send      SendMessage with the envelope's attributes; bodies over a threshold go to S3 as Extended Client
                pointers with the ExtendedPayloadSize attribute
  amqp-receive  basic.get with pika, decoded and checked, then basic.ack
  amqp-send     basic.publish to the default exchange with the envelope's properties and headers, confirmed
  http-serve    an HTTP receiver (http.server) that verifies Standard Webhooks signatures with hmac and answers 202
  http-post     signed POSTs to a thrift-queue HTTP receiver

Messages to send are given as {"protocol": "binary"|"compact", "multiplexed": bool, "job": {ThumbnailJob fields},
"metadata": {"x-…", "traceparent", "deadline"}}; the peer writes the call with the generated Client.send_render and
mints the job id (a UUIDv7) and enqueued-at itself. Every message read is reported as {"id", "metadata", "call":
{"name", "type", "seqid", "service", "method", "args"}, "problems": [...]} plus what the transport adds; the
problems are the doc's rules the message broke (none, when the two sides agree).

SQS requests are not signed: fauxqs accepts unsigned requests (against AWS, sign them with Signature Version 4).
"""

import base64
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, sys.argv[1])

from thrift.protocol.TBinaryProtocol import TBinaryProtocol  # noqa: E402
from thrift.protocol.TCompactProtocol import TCompactProtocol  # noqa: E402
from thrift.protocol.TMultiplexedProtocol import TMultiplexedProtocol  # noqa: E402
from thrift.transport.TTransport import TMemoryBuffer  # noqa: E402

from thrift_queue.common.ttypes import Owner  # noqa: E402
from thrift_queue.jobs import Thumbnails  # noqa: E402
from thrift_queue.jobs.ttypes import ThumbnailJob  # noqa: E402

# The wire format's vocabulary (docs/wire-format.md).
CONTENT_TYPES = {
    "binary": "application/vnd.apache.thrift.binary",
    "compact": "application/vnd.apache.thrift.compact",
}
PROTOCOLS = {CONTENT_TYPES["binary"]: TBinaryProtocol, CONTENT_TYPES["compact"]: TCompactProtocol}
RESERVED_KEYS = {"content-type", "job-id", "enqueued-at", "traceparent", "deadline", "dead-letter-reason"}
USER_KEY = re.compile(r"^x-[a-z0-9][a-z0-9._-]*$")
THRIFT_ONEWAY = 4
POINTER_CLASSES = (
    "software.amazon.payloadoffloading.PayloadS3Pointer",
    "com.amazon.sqs.javamessaging.MessageS3Pointer",  # version 1 of the Java library; still read
)
OFFLOAD_SIZE_ATTRIBUTES = ("ExtendedPayloadSize", "SQSLargePayloadSize")
BROKER_HEADER_PREFIXES = ("x-death", "x-first-death-", "x-last-death-", "x-delivery-count", "x-received-from")
SIGNATURE_TOLERANCE_SECONDS = 5 * 60


# ---------------------------------------------------------------------------------------------------------------
# The payload and the metadata, the same on every transport


def now_rfc3339(seconds=None):
    moment = datetime.fromtimestamp(time.time() if seconds is None else seconds, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def uuid7():
    """A UUIDv7: 48 bits of Unix milliseconds, version 7, variant 10, random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def encode_call(spec):
    """The payload of one Thumbnails.render call, written by the stock generated client."""
    job = dict(spec["job"])
    if "owner" in job:
        job["owner"] = Owner(**job["owner"])
    buffer = TMemoryBuffer()
    protocol = (TBinaryProtocol if spec["protocol"] == "binary" else TCompactProtocol)(buffer)
    if spec.get("multiplexed", True):
        protocol = TMultiplexedProtocol(protocol, "Thumbnails")
    Thumbnails.Client(protocol).send_render(ThumbnailJob(**job))
    return buffer.getvalue()


def outgoing(spec):
    """(job id, payload, metadata) of a message to send: reserved keys first, then the spec's own."""
    job_id = uuid7()
    payload = encode_call(spec)
    metadata = {"content-type": CONTENT_TYPES[spec["protocol"]], "job-id": job_id, "enqueued-at": now_rfc3339()}
    metadata.update(spec.get("metadata", {}))
    return job_id, payload, metadata


def is_metadata_key(name):
    return name in RESERVED_KEYS or name.startswith("x-")


def to_json(value):
    """Generated Thrift objects as JSON: structs as objects of their set fields."""
    if hasattr(value, "thrift_spec"):
        return {key: to_json(item) for key, item in vars(value).items() if item is not None}
    if isinstance(value, (list, tuple, set)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def decode_call(payload, content_type, problems):
    """Reads the payload as the doc says: the protocol named by content-type, the message header, render_args."""
    protocol_class = PROTOCOLS.get(content_type)
    if protocol_class is None:
        problems.append(f"content-type {content_type!r} names no Thrift protocol")
        return None
    protocol = protocol_class(TMemoryBuffer(payload))
    name, message_type, seqid = protocol.readMessageBegin()
    service, _, method = name.rpartition(":")
    if method != "render" or service not in ("", "Thumbnails"):
        problems.append(f"message {name!r} is not Thumbnails.render")
        return {"name": name, "type": message_type, "seqid": seqid}
    args = Thumbnails.render_args()
    args.read(protocol)
    protocol.readMessageEnd()
    if message_type != THRIFT_ONEWAY:
        problems.append(f"render is oneway, but the message type is {message_type}")
    call = {"service": service or None, "method": method, "args": to_json(args)}
    return {"name": name, "type": message_type, "seqid": seqid, **call}


def check_metadata(metadata, problems):
    """The rules every envelope's metadata follows, whatever carried it."""
    if not metadata.get("job-id"):
        problems.append("no job id")
    for key in ("enqueued-at", "deadline"):
        if key in metadata:
            try:
                datetime.fromisoformat(metadata[key])
            except ValueError:
                problems.append(f"{key} {metadata[key]!r} is not RFC 3339")
    if "enqueued-at" not in metadata:
        problems.append("no enqueued-at")
    for key in metadata:
        if key not in RESERVED_KEYS and not USER_KEY.match(key):
            problems.append(f"metadata key {key!r} is neither reserved nor x-")


def report(job_id, metadata, payload, problems, **extra):
    check_metadata(metadata, problems)
    call = decode_call(payload, metadata.get("content-type"), problems)
    return {"id": job_id, "metadata": metadata, "call": call, "problems": problems, **extra}


# ---------------------------------------------------------------------------------------------------------------
# SQS: the JSON protocol over urllib; S3 path-style


class Aws:
    def __init__(self, endpoint, s3_endpoint=None):
        self.endpoint = endpoint.rstrip("/")
        self.s3_endpoint = (s3_endpoint or endpoint).rstrip("/")

    def sqs(self, action, body):
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{action}"}
        request = urllib.request.Request(self.endpoint + "/", json.dumps(body).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"SQS {action} answered {error.code}: {error.read().decode(errors='replace')}")

    def s3(self, method, bucket, key, data=None):
        url = f"{self.s3_endpoint}/{urllib.parse.quote(bucket)}/{urllib.parse.quote(key, safe='/')}"
        headers = {"Content-Type": "text/plain"} if data is not None else {}
        request = urllib.request.Request(url, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()


def sqs_message_size(body, attributes):
    """What SQS counts: the body plus each attribute's name, data type and value, in UTF-8 bytes."""
    size = len(body.encode())
    for name, attribute in attributes.items():
        size += len(name.encode()) + len(attribute["DataType"].encode()) + len(attribute["StringValue"].encode())
    return size


def sqs_send(request):
    aws = Aws(request["endpoint"], request.get("s3Endpoint"))
    sent = []
    for spec in request["messages"]:
        job_id, payload, metadata = outgoing(spec)
        body = base64.b64encode(payload).decode() if payload else "="
        attributes = {name: {"DataType": "String", "StringValue": value} for name, value in metadata.items()}
        pointer = None
        if sqs_message_size(body, attributes) > request["offloadThresholdBytes"]:
            pointer = {"s3BucketName": request["bucket"], "s3Key": str(uuid.uuid4())}
            aws.s3("PUT", pointer["s3BucketName"], pointer["s3Key"], body.encode())
            attributes["ExtendedPayloadSize"] = {"DataType": "Number", "StringValue": str(len(body.encode()))}
            body = json.dumps([POINTER_CLASSES[0], pointer], separators=(",", ":"))
        aws.sqs("SendMessage", {"QueueUrl": request["queueUrl"], "MessageBody": body, "MessageAttributes": attributes})
        sent.append({"id": job_id, "metadata": metadata, "pointer": pointer})
    return {"sent": sent}


def read_sqs_message(aws, message):
    """(report, pointer) of one received message."""
    problems = []
    attributes = message.get("MessageAttributes", {})
    metadata = {
        name: attribute["StringValue"]
        for name, attribute in attributes.items()
        if attribute.get("DataType", "").startswith("String") and is_metadata_key(name)
    }
    sent = message.get("Attributes", {}).get("SentTimestamp")
    if "enqueued-at" not in metadata and sent:
        metadata["enqueued-at"] = now_rfc3339(int(sent) / 1000)
    body = message["Body"]
    pointer = None
    size_attribute = next((attributes[name] for name in OFFLOAD_SIZE_ATTRIBUTES if name in attributes), None)
    if size_attribute is not None:
        class_name, fields = json.loads(body)
        if class_name not in POINTER_CLASSES:
            problems.append(f"unknown pointer class {class_name!r}")
        pointer = {"bucket": fields["s3BucketName"], "key": fields["s3Key"]}
        body = aws.s3("GET", pointer["bucket"], pointer["key"]).decode()
        declared = int(size_attribute["StringValue"])
        if len(body.encode()) != declared:
            problems.append(f"the S3 object has {len(body.encode())} bytes, the attribute says {declared}")
    payload = b"" if body == "=" else base64.b64decode(body, validate=True)
    attempt = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
    found = report(metadata.get("job-id"), metadata, payload, problems, attempt=attempt, pointer=pointer)
    return found, pointer


def sqs_receive(request):
    aws = Aws(request["endpoint"], request.get("s3Endpoint"))
    received = []
    deadline = time.monotonic() + request.get("timeoutSeconds", 20)
    while len(received) < request["count"] and time.monotonic() < deadline:
        answer = aws.sqs(
            "ReceiveMessage",
            {
                "QueueUrl": request["queueUrl"],
                "MaxNumberOfMessages": min(10, request["count"] - len(received)),
                "WaitTimeSeconds": 1,
                "VisibilityTimeout": 30,
                "MessageAttributeNames": ["All"],
                "MessageSystemAttributeNames": ["ApproximateReceiveCount", "SentTimestamp"],
            },
        )
        for message in answer.get("Messages", []):
            found, pointer = read_sqs_message(aws, message)
            received.append(found)
            # The job is done: delete the message, then its S3 object.
            aws.sqs("DeleteMessage", {"QueueUrl": request["queueUrl"], "ReceiptHandle": message["ReceiptHandle"]})
            if pointer is not None:
                aws.s3("DELETE", pointer["bucket"], pointer["key"])
    return {"received": received}


# ---------------------------------------------------------------------------------------------------------------
# AMQP 0-9-1 with pika


def amqp_connection(url):
    import pika

    return pika, pika.BlockingConnection(pika.URLParameters(url))


def amqp_send(request):
    pika, connection = amqp_connection(request["url"])
    sent = []
    try:
        channel = connection.channel()
        channel.queue_declare(request["queue"], passive=True)  # the consumer's queue, with its own arguments
        channel.confirm_delivery()
        for spec in request["messages"]:
            job_id, payload, metadata = outgoing(spec)
            seconds = int(datetime.fromisoformat(metadata["enqueued-at"]).timestamp())
            headers = {key: value for key, value in metadata.items() if key not in ("content-type", "job-id")}
            if spec.get("omitEnqueuedAtHeader"):
                del headers["enqueued-at"]
            properties = pika.BasicProperties(
                content_type=metadata["content-type"],
                message_id=job_id,
                timestamp=seconds,
                delivery_mode=2,
                headers=headers,
            )
            # With confirms on, basic_publish raises unless the broker routed and confirmed the message.
            channel.basic_publish("", request["queue"], payload, properties, mandatory=True)
            sent.append({"id": job_id, "metadata": metadata, "timestamp": seconds})
    finally:
        connection.close()
    return {"sent": sent}


def amqp_receive(request):
    _, connection = amqp_connection(request["url"])
    received = []
    try:
        channel = connection.channel()
        deadline = time.monotonic() + request.get("timeoutSeconds", 20)
        while len(received) < request["count"] and time.monotonic() < deadline:
            method, properties, body = channel.basic_get(request["queue"], auto_ack=False)
            if method is None:
                time.sleep(0.05)
                continue
            received.append(read_amqp_message(properties, body))
            channel.basic_ack(method.delivery_tag)
    finally:
        connection.close()
    return {"received": received}


def read_amqp_message(properties, body):
    problems = []
    headers = properties.headers or {}
    metadata = {
        key: value
        for key, value in headers.items()
        if isinstance(value, str)
        and is_metadata_key(key)
        and key not in ("content-type", "job-id")
        and not key.startswith(BROKER_HEADER_PREFIXES)
    }
    if properties.content_type is not None:
        metadata["content-type"] = properties.content_type
    if not properties.message_id:
        problems.append("no message_id")
    metadata["job-id"] = properties.message_id
    if "enqueued-at" not in metadata and properties.timestamp is not None:
        metadata["enqueued-at"] = now_rfc3339(properties.timestamp)
    if properties.delivery_mode != 2:
        problems.append(f"delivery mode {properties.delivery_mode}, not 2 (persistent)")
    attempt = headers.get("attempt", 1)
    amqp = {"timestamp": properties.timestamp, "deliveryMode": properties.delivery_mode, "attempt": attempt}
    return report(properties.message_id, metadata, body, problems, amqp=amqp)


# ---------------------------------------------------------------------------------------------------------------
# HTTP: Standard Webhooks signatures with hmac


def webhook_key(secret):
    return base64.b64decode(secret[len("whsec_"):])


def webhook_signature(secret, msg_id, timestamp, body):
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(webhook_key(secret), signed, hashlib.sha256).digest()).decode()


def http_post(request):
    posts = []
    for spec in request["messages"]:
        if spec.get("replayOf") is None:
            job_id, payload, metadata = outgoing(spec)
        else:  # the same message again, as a producer retrying after a lost answer would send it
            earlier = posts[spec["replayOf"]]
            job_id, payload, metadata = earlier["id"], base64.b64decode(earlier["payload"]), earlier["metadata"]
        timestamp = str(int(time.time()) - spec.get("ageSeconds", 0))
        headers = {
            "Content-Type": metadata["content-type"],
            "webhook-id": job_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": "v1," + webhook_signature(request["secret"], job_id, timestamp, payload),
        }
        for key, header in (("enqueued-at", "thrift-queue-enqueued-at"), ("deadline", "thrift-queue-deadline")):
            if key in metadata:
                headers[header] = metadata[key]
        for key, value in metadata.items():
            if key == "traceparent" or key.startswith("x-"):
                headers[key] = value
        if spec.get("delayMs"):
            headers["thrift-queue-delay-ms"] = str(spec["delayMs"])
        sent_body = payload[:-1] + bytes([payload[-1] ^ 1]) if spec.get("tamper") else payload
        status, answer = post(request["url"], sent_body, headers)
        posts.append(
            {
                "id": job_id,
                "metadata": metadata,
                "payload": base64.b64encode(payload).decode(),
                "status": status,
                "answer": answer,
            }
        )
    return {"posts": posts}


def post(url, body, headers):
    request = urllib.request.Request(url, body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Receiver:
    """What http-serve accepted and refused, and when it has seen enough."""

    def __init__(self, request):
        self.secret = request.get("secret")
        self.path = request["path"]
        self.count = request["count"]
        self.received = []
        self.refused = []
        self.seen_ids = set()
        self.lock = threading.Lock()
        self.done = threading.Event()


def make_handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            status, answer, body = self.answer()
            if status != 202:
                with receiver.lock:
                    receiver.refused.append({"status": status, "reason": answer["message"]})
            text = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(text)))
            if body is None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(text)

        def answer(self):
            """(status, JSON answer, body or None when it was left unread)."""
            if urllib.parse.urlsplit(self.path).path != receiver.path:
                return 404, {"error": "NOT_FOUND", "message": "no queue here"}, None
            msg_id = self.headers.get("webhook-id")
            timestamp = self.headers.get("webhook-timestamp")
            signatures = self.headers.get("webhook-signature")
            if receiver.secret is not None:
                if msg_id is None or timestamp is None or signatures is None:
                    return 401, {"error": "UNAUTHORIZED", "message": "missing signature headers"}, None
                if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
                    return 401, {"error": "UNAUTHORIZED", "message": "timestamp outside 5 minutes"}, None
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in PROTOCOLS:
                return 415, {"error": "UNSUPPORTED_MEDIA_TYPE", "message": content_type}, None
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if receiver.secret is not None:
                expected = webhook_signature(receiver.secret, msg_id, timestamp, body).encode()
                candidates = [entry[3:].encode() for entry in signatures.split(" ") if entry.startswith("v1,")]
                if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
                    return 401, {"error": "UNAUTHORIZED", "message": "no signature matches"}, body
            msg_id = msg_id or uuid7()
            with receiver.lock:
                if msg_id in receiver.seen_ids:
                    return 202, {"id": msg_id, "duplicate": True}, body
                receiver.seen_ids.add(msg_id)
                receiver.received.append(self.read_envelope(msg_id, content_type, body))
                if len(receiver.received) >= receiver.count:
                    receiver.done.set()
            return 202, {"id": msg_id, "duplicate": False}, body

        def read_envelope(self, msg_id, content_type, body):
            metadata = {"content-type": content_type, "job-id": msg_id, "enqueued-at": now_rfc3339()}
            for key, header in (("enqueued-at", "thrift-queue-enqueued-at"), ("deadline", "thrift-queue-deadline")):
                if self.headers.get(header) is not None:
                    metadata[key] = self.headers.get(header)
            if self.headers.get("traceparent") is not None:
                metadata["traceparent"] = self.headers.get("traceparent")
            for name, value in self.headers.items():
                key = name.lower()
                if USER_KEY.match(key) and not key.startswith("x-forwarded-"):
                    metadata[key] = value
            return report(msg_id, metadata, body, [], signed=receiver.secret is not None)

    return Handler


def http_serve(request):
    receiver = Receiver(request)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(receiver))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    receiver.done.wait(request.get("timeoutSeconds", 20))
    server.shutdown()
    with receiver.lock:
        return {"received": receiver.received, "refused": receiver.refused}


COMMANDS = {
    "sqs-send": sqs_send,
    "sqs-receive": sqs_receive,
    "amqp-send": amqp_send,
    "amqp-receive": amqp_receive,
    "http-post": http_post,
    "http-serve": http_serve,
}


def main():
    request = json.load(sys.stdin)
    print(json.dumps(COMMANDS[sys.argv[2]](request)), flush=True)


if __name__ == "__main__":
    main()
