"""A real Redis failover group for tests: a primary, a replica and three Sentinels.

Every process is the machine's ``redis-server`` (Debian's package; ``redis-sentinel`` runs
the same binary in Sentinel mode) on a free 127.0.0.1 port under a directory of the
test's own. :meth:`FailoverGroup.kill_primary` SIGKILLs the primary, as a crashed host
would; the Sentinels then promote the replica.

Use::

    with FailoverGroup(tmp_path).running() as group:
        settings = load_settings(redis_sentinels=group.sentinels, redis_master_name=group.name)
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.fakes.server import free_ports

MASTER = "aitoday"


def redis_binary() -> str | None:
    """The machine's redis-server (the failover test needs a real one), else None."""
    return shutil.which("redis-server")


class FailoverGroup:
    """Primary + replica + three Sentinels (quorum 2), failover after 1 s of silence."""

    def __init__(self, workdir: Path, *, name: str = MASTER) -> None:
        self.workdir = workdir
        self.name = name
        # five different ports: a replica and a Sentinel once drew the same one
        self.primary_port, self.replica_port, *self.sentinel_ports = free_ports(5)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def sentinels(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.sentinel_ports]

    @contextmanager
    def running(self) -> Iterator[FailoverGroup]:
        try:
            self._start_data("primary", self.primary_port)
            self._start_data("replica", self.replica_port, "--replicaof", "127.0.0.1",
                             str(self.primary_port))  # fmt: skip
            self._wait_replicated()
            for n, port in enumerate(self.sentinel_ports):
                self._start_sentinel(n, port)
            self._wait_sentinels_ready()
            yield self
        finally:
            for proc in self.processes.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in self.processes.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def kill_primary(self) -> None:
        """SIGKILL the primary: no shutdown, no last AOF write, no goodbye to the replica."""
        self.processes["primary"].send_signal(signal.SIGKILL)
        self.processes["primary"].wait(timeout=10)

    def master_port(self) -> int:
        """The port the Sentinels currently name as the master."""
        client = redis.Redis(port=self.sentinel_ports[0], socket_timeout=2)
        try:
            addr = client.sentinel_get_master_addr_by_name(self.name)
            assert isinstance(addr, tuple), addr
            _, port = addr
            return int(port)
        finally:
            client.close()

    def wait_failover(self, timeout: float = 60) -> int:
        """Wait until the replica is the master and answers as one; its port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                self.master_port() == self.replica_port
                and self._role(self.replica_port) == "master"
            ):
                return self.replica_port
            time.sleep(0.2)
        raise AssertionError("the Sentinels did not promote the replica")

    def _names_replica(self, sentinel_port: int) -> bool:
        """This Sentinel names the replica as the master and sees it up (redis-py's test)."""
        client = redis.Redis(port=sentinel_port, socket_timeout=1, socket_connect_timeout=1)
        try:
            state = client.sentinel_master(self.name)
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()
        if not isinstance(state, dict):
            return False
        up = state.get("is_master") and not state.get("is_sdown") and not state.get("is_odown")
        return bool(up) and int(state.get("port", 0)) == self.replica_port

    # -- starting ---------------------------------------------------------------------
    def _start_data(self, role: str, port: int, *extra: str) -> None:
        directory = self.workdir / role
        directory.mkdir(parents=True)
        args = [
            _binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--logfile", str(directory / "redis.log"), *extra,
        ]  # fmt: skip
        self.processes[role] = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_until(lambda: self._role(port) is not None, f"redis-server {role} did not start")

    def _start_sentinel(self, n: int, port: int) -> None:
        directory = self.workdir / f"sentinel{n}"
        directory.mkdir(parents=True)
        config = directory / "sentinel.conf"  # Sentinel rewrites it: it must be its own
        config.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {directory}\n"
            f"logfile {directory / 'sentinel.log'}\n"
            f"sentinel monitor {self.name} 127.0.0.1 {self.primary_port} 2\n"
            f"sentinel down-after-milliseconds {self.name} 1000\n"
            f"sentinel failover-timeout {self.name} 10000\n"
            f"sentinel parallel-syncs {self.name} 1\n"
        )
        self.processes[f"sentinel{n}"] = subprocess.Popen(
            [_binary(), str(config), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_replicated(self) -> None:
        def linked() -> bool:
            info = self._info(self.replica_port, "replication")
            return info.get("master_link_status") == "up"

        _wait_until(linked, "the replica did not sync with the primary")

    def _wait_sentinels_ready(self) -> None:
        """Each Sentinel knows the replica and the two other Sentinels (so it can vote)."""

        def ready() -> bool:
            for port in self.sentinel_ports:
                client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
                try:
                    replicas = client.sentinel_slaves(self.name)
                    others = client.sentinel_sentinels(self.name)
                except (redis.RedisError, OSError):
                    return False
                finally:
                    client.close()
                if len(replicas) < 1 or not isinstance(others, list) or len(others) < 2:
                    return False
            return True

        _wait_until(ready, "the Sentinels did not find the replica and each other", 60)

    # -- looking ----------------------------------------------------------------------
    def _info(self, port: int, section: str) -> dict[str, object]:
        client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=0.5)
        try:
            info: dict[str, object] = client.info(section)
            return info
        except (redis.RedisError, OSError):
            return {}
        finally:
            client.close()

    def _role(self, port: int) -> str | None:
        role = self._info(port, "replication").get("role")
        return None if role is None else str(role)


def _binary() -> str:
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    return binary


def _wait_until(check: object, what: str, timeout: float = 20) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(what)
        time.sleep(0.05)
