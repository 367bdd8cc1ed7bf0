#!/usr/bin/python3
"""Stock Apache Thrift's THttpClient calling a thrift-queue HTTP receiver (test/integration/http-python-thttpclient.test.ts).

Usage: thttpclient_render.py <generated dir> <url> <binary|compact> <imageId> [signed]

<generated dir> holds the output of `thrift -r --gen py` for idl/jobs.thrift. The oneway Thumbnails.render is
called through the generated Client over THttpClient, as any Apache Thrift Python program would (THttpClient
POSTs with Content-Type application/x-thrift whatever the protocol). With "signed", the call is first written
to a TMemoryBuffer, signed the Standard Webhooks way with Python's own hmac module (secret taken from the
THRIFT_QUEUE_HTTP_SECRET environment variable), and the same bytes are sent over THttpClient with the
webhook-* headers set. Prints one JSON line: {"status": <HTTP status>, "id": <webhook-id or null>}.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time
import uuid

sys.path.insert(0, sys.argv[1])

from thrift.protocol.TBinaryProtocol import TBinaryProtocol  # noqa: E402
from thrift.protocol.TCompactProtocol import TCompactProtocol  # noqa: E402
from thrift.transport.THttpClient import THttpClient  # noqa: E402
from thrift.transport.TTransport import TMemoryBuffer  # noqa: E402

from thrift_queue.common.ttypes import Owner, Priority  # noqa: E402
from thrift_queue.jobs import Thumbnails  # noqa: E402
from thrift_queue.jobs.ttypes import ThumbnailJob  # noqa: E402


def make_protocol(name, transport):
    return TBinaryProtocol(transport) if name == "binary" else TCompactProtocol(transport)


def job(image_id):
    return ThumbnailJob(
        imageId=image_id,
        requestedAt=1700000000123456,
        priority=Priority.HIGH,
        sizes=["64x64", "256x256"],
        labels={"source": "python"},
        owner=Owner(name="py", accountId=42),
    )


def signature_headers(body):
    secret = os.environ["THRIFT_QUEUE_HTTP_SECRET"]
    key = base64.b64decode(secret[len("whsec_"):])
    msg_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    digest = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return msg_id, {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": "v1," + digest}


def main():
    url, protocol_name, image_id = sys.argv[2], sys.argv[3], sys.argv[4]
    signed = len(sys.argv) > 5 and sys.argv[5] == "signed"
    http = THttpClient(url)
    msg_id = None
    if signed:
        memory = TMemoryBuffer()
        Thumbnails.Client(make_protocol(protocol_name, memory)).send_render(job(image_id))
        body = memory.getvalue()
        msg_id, headers = signature_headers(body)
        http.setCustomHeaders(headers)
        http.open()
        http.write(body)
        http.flush()
    else:
        http.open()
        Thumbnails.Client(make_protocol(protocol_name, http)).render(job(image_id))
    print(json.dumps({"status": http.code, "id": msg_id}))
    http.close()


if __name__ == "__main__":
    main()
