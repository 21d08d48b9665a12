"""A real Postfix relay for tests and benchmarks, started from a private config directory.

Debian's ``postfix`` package, not a fake: ``postfix -c DIR start`` with a main.cf and
master.cf of our own, an smtpd on a free 127.0.0.1 port that accepts mail from 127.0.0.1
only, and every message relayed (``relayhost``) to a sink we can read, such as the
aiosmtpd server of tests/fakes/smtp.py. Its queue, data and log live under DIR; the
machine's own Postfix (if any) is untouched. Postfix must start as root (it drops to the
``postfix`` user), so :func:`unavailable` says why it cannot run here, for a skip.

Use::

    with FakeSMTP().running() as sink, Postfix(relay_to=(sink.host, sink.port)).running() as mta:
        settings = load_settings(smtp={"host": "127.0.0.1", "port": mta.port, "starttls": False})
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fakes.server import free_port

SBIN = Path("/usr/sbin")
DAEMONS = Path("/usr/lib/postfix/sbin")


def postfix_binary() -> str | None:
    return shutil.which("postfix") or (
        str(SBIN / "postfix") if (SBIN / "postfix").exists() else None
    )


def unavailable() -> str | None:
    """Why a private Postfix cannot run here, or None when it can."""
    if postfix_binary() is None:
        return "postfix is not installed (make infra, or apt-get install postfix)"
    if os.geteuid() != 0:
        return "postfix starts as root only (its master drops to the postfix user)"
    try:
        import pwd

        pwd.getpwnam("postfix")
    except KeyError:
        return "the postfix user is missing (reinstall Debian's postfix package)"
    return None


class Postfix:
    """One private Postfix instance: smtpd on ``port``, relaying to ``relay_to``."""

    def __init__(self, relay_to: tuple[str, int], *, concurrency: int = 20) -> None:
        self.relay_to = relay_to
        self.concurrency = concurrency
        self.host = "127.0.0.1"
        self.port = 0
        self.directory = Path()

    @contextmanager
    def running(self) -> Iterator[Postfix]:
        # Under /tmp, world-traversable: the postfix user must reach its queue (pytest's
        # tmp_path sits in a 0700 directory of root's).
        self.directory = Path(tempfile.mkdtemp(prefix="aitoday-postfix-"))
        self.directory.chmod(0o755)
        self.port = free_port()
        self._configure()
        try:
            self._postfix("start")
            self._wait_listening()
            yield self
        finally:
            subprocess.run(
                [_binary(), "-c", str(self.config), "stop"], capture_output=True, timeout=60
            )
            self._wait_stopped()
            shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def config(self) -> Path:
        return self.directory / "etc"

    def queue_size(self) -> int:
        """Messages Postfix still holds (not yet relayed), from its queue directories."""
        queue = self.directory / "spool"
        return sum(
            len(files) for sub in ("incoming", "active", "deferred", "maildrop")
            for _, _, files in os.walk(queue / sub)
        )  # fmt: skip

    def log(self) -> str:
        path = self.directory / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def _configure(self) -> None:
        self.config.mkdir()
        (self.directory / "spool").mkdir()
        (self.directory / "data").mkdir()
        shutil.chown(self.directory / "data", "postfix", "postfix")
        host, port = self.relay_to
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.directory / "spool"),
            "data_directory": str(self.directory / "data"),
            "command_directory": str(SBIN),
            "daemon_directory": str(DAEMONS),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mta.aitoday.localhost",
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "relayhost": f"[{host}]:{port}",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "maillog_file": str(self.directory / "maillog"),
            "maillog_file_prefixes": str(self.directory),
            "default_destination_concurrency_limit": str(self.concurrency),
            "relay_destination_concurrency_limit": str(self.concurrency),
            "default_process_limit": str(max(100, self.concurrency * 2)),
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
            "smtpd_client_message_rate_limit": "0",
            "anvil_rate_time_unit": "60s",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "5s",
            "smtputf8_enable": "no",
        }
        (self.config / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
        shutil.copy("/etc/postfix/master.cf", self.config / "master.cf")
        master = (self.config / "master.cf").read_text().splitlines()
        master = [line for line in master if not line.startswith("smtp      inet")]
        master.append(f"{self.host}:{self.port} inet n - n - - smtpd")
        if not any(line.startswith("postlog") for line in master):
            master.append("postlog   unix-dgram n  -       n       -       1       postlogd")
        # chroot off for every service: the queue is not under /var/spool/postfix
        master = [_no_chroot(line) for line in master]
        (self.config / "master.cf").write_text("\n".join(master) + "\n")

    def _postfix(self, command: str) -> None:
        result = subprocess.run(
            [_binary(), "-c", str(self.config), command],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            # postfix prints its reason only on a terminal (or to syslog)
            hint = f"script -qc 'postfix -c {self.config} check' /dev/null shows why"
            raise RuntimeError(f"postfix {command} failed ({hint}): {result.stderr}{self.log()}")

    def _wait_listening(self) -> None:
        import socket

        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"220"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("postfix smtpd did not answer: " + self.log())
            time.sleep(0.1)

    def _wait_stopped(self) -> None:
        pid_file = self.directory / "spool" / "pid" / "master.pid"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                pid = int(pid_file.read_text().split()[0])
                os.kill(pid, 0)
            except (OSError, ValueError, IndexError):
                return
            time.sleep(0.1)


def _no_chroot(line: str) -> str:
    fields = line.split()
    if len(fields) >= 8 and not line.startswith((" ", "\t", "#")) and fields[4] in ("y", "-"):
        fields[4] = "n"
        return "  ".join(fields)
    return line


def _binary() -> str:
    binary = postfix_binary()
    if binary is None:
        raise RuntimeError("postfix is not installed")
    return binary
