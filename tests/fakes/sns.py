"""Amazon SNS as a test needs it: a signing key, signed envelopes, and an https server
that serves the signing certificate and records subscription confirmations.

The server is real TLS on 127.0.0.1 with a certificate from :class:`LocalCA`; the
envelopes are signed exactly as SNS signs (the type's fields as ``name\\nvalue\\n``,
RSA PKCS#1 v1.5 with SHA-1 for SignatureVersion 1, SHA-256 for 2).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from core.bounces.sns import string_to_sign
from tests.fakes.server import serve_in_thread
from tests.fakes.tls import LocalCA, self_signed

CERT_PATH = "/SimpleNotificationService-test.pem"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:aitoday-bounces"


class FakeSNS:
    """Signs envelopes; serves the certificate at ``cert_url`` over https."""

    def __init__(self, ca: LocalCA) -> None:
        self.ca = ca
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert_pem = self_signed("sns.eu-west-1.amazonaws.com", self.key).public_bytes(
            serialization.Encoding.PEM
        )
        self.requests: list[str] = []  # paths asked for, in order
        self.port = 0

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def cert_url(self) -> str:
        return f"https://{self.netloc}{CERT_PATH}"

    def envelope(
        self,
        message: dict[str, Any] | str,
        *,
        kind: str = "Notification",
        topic: str = TOPIC,
        version: str = "1",
        timestamp: datetime | None = None,
        cert_url: str | None = None,
    ) -> dict[str, Any]:
        """A signed SNS message of ``kind`` carrying ``message`` (JSON-encoded if a dict)."""
        envelope: dict[str, Any] = {
            "Type": kind,
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic,
            "Message": message if isinstance(message, str) else json.dumps(message),
            "Timestamp": (timestamp or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "SignatureVersion": version,
            "SigningCertURL": cert_url or self.cert_url,
        }
        if kind == "Notification":
            envelope["Subject"] = "Amazon SES Email Event Notification"
        else:
            envelope["Token"] = uuid.uuid4().hex
            envelope["SubscribeURL"] = (
                f"https://{self.netloc}/?Action=ConfirmSubscription&Token={envelope['Token']}"
            )
        return self.sign(envelope)

    def sign(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Set ``Signature`` over the envelope as it stands."""
        algorithm = hashes.SHA1() if envelope["SignatureVersion"] == "1" else hashes.SHA256()
        raw = self.key.sign(string_to_sign(envelope), padding.PKCS1v15(), algorithm)
        envelope["Signature"] = base64.b64encode(raw).decode()
        return envelope

    @contextmanager
    def running(self) -> Iterator[FakeSNS]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                if self.path == CERT_PATH:
                    body, status = fake.cert_pem, 200
                elif self.path.startswith("/?Action=ConfirmSubscription"):
                    body, status = b"<ConfirmSubscriptionResponse/>", 200
                else:
                    body, status = b"not found", 404
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = self.ca.server_context().wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        with serve_in_thread(server):
            yield self
