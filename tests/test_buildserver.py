"""buildserver.py: the warm process that runs an author's next `publish all`. A real server process
started the way a terminal run starts it, real commands handed to it over its socket, and the same
outputs as a run without it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from publish import buildserver
from tests.conftest import NOTE, REPO, edit_note, run_publish, write_article

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the build server runs on Linux")

ON = {"PUBLISH_SERVER": "1", "PUBLISH_SERVER_IDLE": "60"}
OFF = {"PUBLISH_SERVER": "0"}


def _records(site: Path) -> Path:
    return site / "output" / ".publish"


def _server(site: Path, timeout: float = 90) -> int:
    """The pid of the site's server, once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(json.loads((_records(site) / buildserver.INFO).read_text())["pid"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.2)
    raise AssertionError("the build server did not start")


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def _log(site: Path) -> list[str]:
    try:
        return (_records(site) / buildserver.LOG).read_text().splitlines()
    except OSError:
        return []


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    shutil.copy(REPO / "publish.toml", site / "publish.toml")
    for n in range(1, 4):
        write_article(site, f"note-{n}.md", NOTE.format(title=f"Note {n}", date=f"2024-01-0{n}"))
    yield site
    try:
        _stop(int(json.loads((_records(site) / buildserver.INFO).read_text())["pid"]))
    except (OSError, ValueError, KeyError):
        pass


def test_an_edit_is_built_by_the_warm_server_with_the_same_files(site: Path, tmp_path: Path) -> None:
    first = run_publish(site, "all", env=ON)                # a build; then the server starts for the next
    assert first.returncode == 0, first.stderr
    pid = _server(site)
    mode = os.stat(_records(site) / buildserver.SOCKET).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) & 0o077 == 0         # this user only
    twin = tmp_path / "twin"
    shutil.copytree(site, twin, symlinks=True, ignore=shutil.ignore_patterns("server.*"))
    for folder in (site, twin):
        edit_note(folder, "note-2.md", "edited on the server, and long enough")
    before = len(_log(site))
    served = run_publish(site, "all", env=ON)
    assert served.returncode == 0, served.stderr
    assert "wrote" in served.stdout and "error" not in served.stderr
    ran = _log(site)[before:]
    assert len(ran) == 1 and "publish all" in ran[0] and "exit 0" in ran[0]      # the server ran it
    alone = run_publish(twin, "all", env=OFF)
    assert alone.returncode == 0 and served.stdout.split(" in ")[0] == alone.stdout.split(" in ")[0]
    outputs = sorted(p.relative_to(twin / "output") for p in (twin / "output").rglob("*")
                     if p.is_file() and ".publish" not in p.parts)
    assert any(str(p) == "pdf/note-2.pdf" for p in outputs)
    for relative in outputs:
        assert (site / "output" / relative).read_bytes() == (twin / "output" / relative).read_bytes(), relative
    assert not _gone(pid, 0.1)                              # it waits for the next command


def test_ctrl_c_stops_the_build_on_the_server_not_the_server(site: Path) -> None:
    assert run_publish(site, "all", env=ON).returncode == 0
    pid = _server(site)
    edit_note(site, "note-1.md", "edited, and long enough")
    process = subprocess.Popen([sys.executable, "-m", "publish", "all"], cwd=site, env={**os.environ, **ON},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGINT)                   # what Ctrl-C in the terminal does
    _, err = process.communicate(timeout=60)
    assert process.returncode in (0, 130), err              # 0 if it had already finished
    assert "Traceback" not in err
    assert not _gone(pid, 0.5)
    again = run_publish(site, "all", env=ON)                # the next run finishes the work
    assert again.returncode == 0 and "error" not in again.stderr
    write_article(site, "broken.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    broken = run_publish(site, "all", env=ON)               # its errors reach this terminal, with its status
    assert broken.returncode == 1 and "broken.md" in broken.stderr
    assert "exit 1" in _log(site)[-1]


def test_a_server_of_other_software_is_not_used(site: Path) -> None:
    assert run_publish(site, "all", env=ON).returncode == 0
    _server(site)
    before = len(_log(site))
    edit_note(site, "note-1.md", "edited, and long enough")
    unpatched = run_publish(site, "all", env={**ON, "PUBLISH_NO_PATCHES": "1"})   # its libraries are patched
    assert unpatched.returncode == 0 and len(_log(site)) == before
    info = _records(site) / buildserver.INFO
    recorded = json.loads(info.read_text())
    info.write_text(json.dumps({**recorded, "software": "an older publish"}))
    before = len(_log(site))
    edit_note(site, "note-3.md", "edited, and long enough")
    result = run_publish(site, "all", env=ON)
    assert result.returncode == 0 and "wrote" in result.stdout
    assert len(_log(site)) == before                        # this process built it


def test_the_server_stops_when_idle_and_takes_its_socket_away(site: Path) -> None:
    assert run_publish(site, "all", env={**ON, "PUBLISH_SERVER_IDLE": "1"}).returncode == 0
    pid = _server(site)
    assert _gone(pid, 30)
    assert not (_records(site) / buildserver.SOCKET).exists() and not (_records(site) / buildserver.INFO).exists()
    edit_note(site, "note-3.md", "edited, and long enough")
    assert run_publish(site, "all", env=OFF).returncode == 0            # runs without it


def test_no_server_without_a_terminal_or_when_switched_off(site: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "PUBLISH_SERVER"}
    result = subprocess.run([sys.executable, "-m", "publish", "all"], cwd=site, env=environment,
                            capture_output=True, text=True, timeout=300)     # pipes, not a terminal
    assert result.returncode == 0, result.stderr
    edit_note(site, "note-1.md", "edited, and long enough")
    assert run_publish(site, "all", env=OFF).returncode == 0
    time.sleep(1)
    assert not (_records(site) / buildserver.INFO).exists()
