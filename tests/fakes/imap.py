"""A small IMAP4rev1 server on 127.0.0.1 for the bounce mailbox tests.

It speaks what a mailbox poller needs, over a real socket, to Python's ``imaplib``:
CAPABILITY, NOOP, STARTTLS, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH (RFC822.SIZE,
BODY.PEEK[], RFC822, FLAGS), UID STORE +FLAGS, CLOSE and LOGOUT, in the right states
(RFC 3501: not authenticated -> authenticated -> selected). TLS is real: implicit
(``tls="ssl"``) or STARTTLS, with a :class:`~tests.fakes.tls.LocalCA` certificate. It
records every command (the password masked) so a test can check what the client did,
and refuses LOGIN with the wrong password like a real server.
"""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from tests.fakes.server import serve_in_thread
from tests.fakes.tls import LocalCA

_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class Stored:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


class FakeIMAP:
    """One user, one or more folders of messages; ``running()`` serves them."""

    def __init__(self, username: str = "bounces", password: str = "imap-password") -> None:
        self.username = username
        self.password = password
        self.folders: dict[str, list[Stored]] = {"INBOX": []}
        self.commands: list[str] = []  # as received, password masked
        self.logins = 0
        self.port = 0
        self._next_uid = 1
        self._lock = threading.Lock()

    def deliver(self, raw: bytes, folder: str = "INBOX") -> int:
        """Put a message in ``folder`` (unseen); returns its UID."""
        with self._lock:
            uid = self._next_uid
            self._next_uid += 1
            self.folders.setdefault(folder, []).append(Stored(uid, raw))
            return uid

    def flags(self, uid: int, folder: str = "INBOX") -> set[str]:
        return next(m.flags for m in self.folders[folder] if m.uid == uid)

    def unseen(self, folder: str = "INBOX") -> list[int]:
        return [m.uid for m in self.folders[folder] if "\\Seen" not in m.flags]

    @contextmanager
    def running(self, tls: str = "none", ca: LocalCA | None = None) -> Iterator[FakeIMAP]:
        """Serve on 127.0.0.1 (``self.port``); ``tls``: none, ssl or starttls."""
        fake = self
        context = ca.server_context() if ca is not None else None

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                if tls == "ssl":
                    assert context is not None
                    sock = context.wrap_socket(sock, server_side=True)
                session = _Session(fake, sock, tls, context)
                try:
                    session.run()
                finally:
                    session.close()

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        with serve_in_thread(server):
            yield self


class _Session:
    """One connection's state machine."""

    def __init__(
        self, fake: FakeIMAP, sock: socket.socket, tls: str, context: ssl.SSLContext | None
    ) -> None:
        self.fake, self.sock, self.tls, self.context = fake, sock, tls, context
        self.file: BinaryIO = sock.makefile("rb")
        self.user: str | None = None
        self.folder: str | None = None
        self.secure = tls == "ssl"

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self, text: str) -> None:
        self.send(text.encode() + b"\r\n")

    def capabilities(self) -> str:
        caps = ["IMAP4rev1"]
        if self.tls == "starttls" and not self.secure:
            caps += ["STARTTLS", "LOGINDISABLED"]
        return " ".join(caps)

    def run(self) -> None:
        self.line(f"* OK [CAPABILITY {self.capabilities()}] fake IMAP ready")
        while True:
            raw = self.file.readline()
            if not raw:
                return
            tokens = [m.group(1) if m.group(1) is not None else m.group(2)
                      for m in _TOKEN.finditer(raw.rstrip(b"\r\n"))]  # fmt: skip
            if len(tokens) < 2:
                self.line("* BAD no command")
                continue
            tag, command = tokens[0].decode(), tokens[1].decode().upper()
            args = [t.decode() for t in tokens[2:]]
            shown = [*args[:1], "****"] if command == "LOGIN" else args
            self.fake.commands.append(" ".join([command, *shown]))
            if not self.dispatch(tag, command, args):
                return

    def dispatch(self, tag: str, command: str, args: list[str]) -> bool:
        if command == "LOGOUT":
            self.line("* BYE fake IMAP logging out")
            self.line(f"{tag} OK LOGOUT completed")
            return False
        handler = getattr(self, f"do_{command.lower()}", None)
        if handler is None:
            self.line(f"{tag} BAD unknown command {command}")
            return True
        handler(tag, args)
        return True

    def do_capability(self, tag: str, args: list[str]) -> None:
        self.line(f"* CAPABILITY {self.capabilities()}")
        self.line(f"{tag} OK CAPABILITY completed")

    def do_noop(self, tag: str, args: list[str]) -> None:
        self.line(f"{tag} OK NOOP completed")

    def do_starttls(self, tag: str, args: list[str]) -> None:
        if self.tls != "starttls" or self.secure or self.context is None:
            self.line(f"{tag} BAD STARTTLS not available")
            return
        self.line(f"{tag} OK Begin TLS negotiation now")
        self.sock = self.context.wrap_socket(self.sock, server_side=True)
        self.file = self.sock.makefile("rb")
        self.secure = True

    def do_login(self, tag: str, args: list[str]) -> None:
        if self.tls == "starttls" and not self.secure:
            self.line(f"{tag} NO [PRIVACYREQUIRED] LOGIN only after STARTTLS")
            return
        if len(args) != 2 or (args[0], _unquote(args[1])) != (
            self.fake.username,
            self.fake.password,
        ):
            self.line(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
            return
        self.user = args[0]
        self.fake.logins += 1
        self.line(f"{tag} OK [CAPABILITY IMAP4rev1] Logged in")

    def do_select(self, tag: str, args: list[str]) -> None:
        if self.user is None:
            self.line(f"{tag} BAD not authenticated")
            return
        name = _unquote(args[0]) if args else ""
        if name not in self.fake.folders:
            self.line(f"{tag} NO [NONEXISTENT] no such mailbox")
            return
        self.folder = name
        messages = self.fake.folders[name]
        self.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
        self.line(f"* {len(messages)} EXISTS")
        self.line("* 0 RECENT")
        self.line("* OK [UIDVALIDITY 1] UIDs valid")
        self.line(f"* OK [UIDNEXT {self.fake._next_uid}] Predicted next UID")
        self.line(f"{tag} OK [READ-WRITE] SELECT completed")

    def do_close(self, tag: str, args: list[str]) -> None:
        self.folder = None
        self.line(f"{tag} OK CLOSE completed")

    def do_uid(self, tag: str, args: list[str]) -> None:
        if self.folder is None:
            self.line(f"{tag} BAD no mailbox selected")
            return
        sub = args[0].upper() if args else ""
        if sub == "SEARCH" and [a.upper() for a in args[1:]] == ["UNSEEN"]:
            self.line("* SEARCH " + " ".join(str(u) for u in self.fake.unseen(self.folder)))
            self.line(f"{tag} OK SEARCH completed")
        elif sub == "FETCH" and len(args) >= 3:
            self.fetch(tag, args[1], " ".join(args[2:]).strip("()").upper().split())
        elif sub == "STORE" and len(args) >= 4 and args[2].upper() == "+FLAGS":
            self.store(tag, args[1], " ".join(args[3:]).strip("()").split())
        else:
            self.line(f"{tag} BAD UID {sub} not supported here")

    def _messages(self, uid_set: str) -> list[tuple[int, Stored]]:
        assert self.folder is not None
        wanted = _uids(uid_set, self.fake._next_uid)
        found = enumerate(self.fake.folders[self.folder], start=1)
        return [(seq, m) for seq, m in found if m.uid in wanted]

    def fetch(self, tag: str, uid_set: str, items: list[str]) -> None:
        for seq, message in self._messages(uid_set):
            parts: list[bytes] = [f"UID {message.uid}".encode()]
            for item in items:
                if item == "RFC822.SIZE":
                    parts.append(f"RFC822.SIZE {len(message.raw)}".encode())
                elif item == "FLAGS":
                    parts.append(f"FLAGS ({' '.join(sorted(message.flags))})".encode())
                elif item in ("BODY.PEEK[]", "RFC822", "BODY[]"):
                    name = "RFC822" if item == "RFC822" else "BODY[]"
                    parts.append(f"{name} {{{len(message.raw)}}}\r\n".encode() + message.raw)
                    if item != "BODY.PEEK[]":
                        message.flags.add("\\Seen")
            self.send(f"* {seq} FETCH (".encode() + b" ".join(parts) + b")\r\n")
        self.line(f"{tag} OK FETCH completed")

    def store(self, tag: str, uid_set: str, flags: list[str]) -> None:
        for seq, message in self._messages(uid_set):
            message.flags.update(flags)
            shown = " ".join(sorted(message.flags))
            self.line(f"* {seq} FETCH (UID {message.uid} FLAGS ({shown}))")
        self.line(f"{tag} OK STORE completed")


def _unquote(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")


def _uids(uid_set: str, next_uid: int) -> set[int]:
    found: set[int] = set()
    for part in uid_set.split(","):
        low, _, high = part.partition(":")
        start = int(low) if low != "*" else next_uid - 1
        end = start if not high else (next_uid - 1 if high == "*" else int(high))
        found.update(range(min(start, end), max(start, end) + 1))
    return found


__all__ = ["FakeIMAP", "Stored"]
