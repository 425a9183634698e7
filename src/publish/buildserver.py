"""The build server: a warm process that runs an author's next `publish all`, as Gradle's daemon does.

A fresh `publish all` after an edit spends most of its time loading what it needs, not building:
Python, the command line, WeasyPrint, fonts, the math font and the hyphenation dictionary, and
the first page of a process that has rendered nothing yet. The build server is a process that has
loaded all of that for one site and waits. When the no-op stamp does not answer a plain
`publish all` (or `publish -q all`), the launcher hands the command to the site's server if one
runs: with the command's terminal (its standard input, output and error, passed over a Unix
socket), its folder and its environment. The server forks a child from its warm state; the child
runs the command exactly as the launcher would have, writing to the author's terminal, and the
launcher exits with the child's status. Ctrl-C in the terminal stops the child and its workers.

Started by a `publish all` run in a terminal, after its build, when none runs: `python -m
publish.buildserver ROOT OUTPUT`, in its own session, detached. `PUBLISH_SERVER=0` never starts
nor uses one; `PUBLISH_SERVER=1` starts one from scripts too (benchmarks, tests). It stops after
`IDLE` seconds without a command (`PUBLISH_SERVER_IDLE`), when the installed software changes (an
upgrade: its code would be stale), or when its output folder goes; a server whose software does
not match the launcher's is not used. It lives in `output/.publish/`: `server.sock` (the socket,
reachable by this user only, which the server checks again), `server.json` (its pid and software),
`server.log` (one line per command it ran).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

RECORDS = ".publish"
SOCKET = "server.sock"
INFO = "server.json"
LOG = "server.log"
LOCK = "server.lock"
SWITCH = "PUBLISH_SERVER"
IDLE = 900.0                       # seconds without a command before the server stops
IDLE_VARIABLE = "PUBLISH_SERVER_IDLE"
_MAX_REQUEST = 1 << 20


# --- the launcher's side --------------------------------------------------------------------------

def wanted() -> bool | None:
    """True: use and start a server even without a terminal; False: never; None: in a terminal."""
    value = os.environ.get(SWITCH, "").strip()
    if value in ("0", "false", "no", "off"):
        return False
    return True if value in ("1", "true", "yes", "on") else None


def run_on_server(output_dir: Path, argv: list[str]) -> int | None:
    """Have the site's build server run `publish ARGV`; its exit status, or None if no server
    could take the command (the caller then runs it itself)."""
    from publish.patches import switched_off

    if wanted() is False or switched_off():      # its libraries were patched as it warmed up
        return None
    records = output_dir / RECORDS
    try:
        info = json.loads((records / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("software") != software():
        return None
    path = os.path.relpath(records / SOCKET)
    if len(os.fsencode(path)) > 100:                    # beyond what a Unix socket's address holds
        return None
    import signal

    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    interrupted: list[bool] = []

    def interrupt(signum: int, frame: object) -> None:      # Ctrl-C: the child stops, and tells how
        interrupted.append(True)
        with contextlib.suppress(OSError):
            client.sendall(b"int\n")

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        try:
            client.connect(path)
            request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode() + b"\n"
            sent = socket.send_fds(client, [request], [0, 1, 2])
            client.sendall(request[sent:])
            reply = client.makefile("rb")
            started = reply.readline()
        except OSError:
            started = b""
        if not started.startswith(b"started "):
            if interrupted:
                raise KeyboardInterrupt
            return None                 # refused before anything ran: run it here
        if interrupted:
            with contextlib.suppress(OSError):
                client.sendall(b"int\n")
        while True:
            line = reply.readline()
            if not line:
                sys.stderr.write("error: the build server stopped during the build; run `publish all` again\n")
                return 1
            if line.startswith(b"exit "):
                return int(line.split()[1])
    finally:
        signal.signal(signal.SIGINT, previous)
        client.close()


def start_later(output_dir: Path, root: Path) -> None:
    """After a build in a terminal (or with PUBLISH_SERVER=1): start the site's server if none runs."""
    choice = wanted()
    if choice is False or (choice is None and not _terminal()):
        return
    if not sys.platform.startswith("linux") or not (output_dir / RECORDS).is_dir():
        return
    try:
        info = json.loads((output_dir / RECORDS / INFO).read_text(encoding="utf-8"))
        if _alive(int(info["pid"])) and info.get("software") == software():
            return
    except (OSError, ValueError, KeyError, TypeError):
        pass
    import subprocess

    with contextlib.suppress(OSError):
        subprocess.Popen([sys.executable, "-m", "publish.buildserver", str(root), str(output_dir)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True, cwd=root)


def _terminal() -> bool:
    """Whether an author runs this in a terminal (not a script, a pipe or CI)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def software() -> str:
    """What the server's code is made of (stamp.py's measure): a server whose differs is stale."""
    import hashlib

    from publish.stamp import software_files

    return hashlib.sha256(json.dumps([sys.executable, software_files()]).encode()).hexdigest()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the server -----------------------------------------------------------------------------------

def main(root: Path, output_dir: Path) -> None:
    import fcntl
    import gc
    import signal

    records = output_dir / RECORDS
    os.chdir(records)                          # the socket is bound by its short, relative name
    lock = open(LOCK, "a+b")                   # held for the server's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return                                 # another server of this site is starting or running
    with contextlib.suppress(OSError):
        if os.stat(LOG).st_size > 1 << 20:
            os.replace(LOG, LOG + ".1")          # the log keeps the last megabyte or two
    mine = software()
    _warm(root)
    gc.freeze()                                # children share the warm pages instead of copying them
    with contextlib.suppress(FileNotFoundError):
        os.unlink(SOCKET)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    os.umask(0o077)
    listener.bind(SOCKET)
    listener.listen(8)
    Path(INFO + ".tmp").write_text(json.dumps({"pid": os.getpid(), "software": mine, "root": str(root)}),
                                   encoding="utf-8")
    os.replace(INFO + ".tmp", INFO)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        _serve(listener, records, mine)
    finally:
        with contextlib.suppress(OSError):
            if json.loads(Path(INFO).read_text(encoding="utf-8")).get("pid") == os.getpid():
                os.unlink(INFO)
                os.unlink(SOCKET)


def _warm(root: Path) -> None:
    """Load what a build uses (the command line, the exporters and what they prepare: WeasyPrint, the
    site's fonts and stylesheets, the PDF warm-up page, the math font) and read the articles once."""
    import typer  # noqa: F401 - the command line, imported once here

    import publish.cli  # noqa: F401
    from publish import patches, pipeline, registry
    from publish.config import load_config
    from publish.content.loader import load

    config = load_config(cwd=root, exporters=registry.settings_classes())
    loaded = load(config)
    downloads = pipeline.declared_downloads(config)
    for _, entry in sorted(registry.discover().items()):
        if entry.exporter is None:
            continue
        exporter = entry.exporter()
        with contextlib.suppress(Exception):
            exporter.prepare(exporter.context(config, loaded.collection, downloads=downloads))
    patches.apply_all()


def _serve(listener: socket.socket, records: Path, mine: str) -> None:
    import selectors

    idle = float(os.environ.get(IDLE_VARIABLE, "") or IDLE)
    children: dict[int, socket.socket] = {}          # pid -> the connection of the command it runs
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    last = time.monotonic()
    while True:
        _reap(children, selector)
        if children:
            last = time.monotonic()
        elif time.monotonic() - last > idle:
            return
        if _owner(records) != os.getpid() or software() != mine:
            return          # the output folder went (or another server took it), or the software changed
        for key, _ in selector.select(timeout=min(30.0, idle)):
            if key.fileobj is listener:
                _accept(listener, children, selector, records)
                last = time.monotonic()
            else:
                _from_client(key.fileobj, key.data, children, selector)  # type: ignore[arg-type]


def _owner(records: Path) -> int | None:
    try:
        return int(json.loads((records / INFO).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _reap(children: dict[int, socket.socket], selector: Any) -> None:
    for pid in list(children):
        with contextlib.suppress(ChildProcessError):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if not done:
                continue
        connection = children.pop(pid)
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)
        connection.close()


def _from_client(connection: socket.socket, pid: int, children: dict[int, socket.socket], selector: Any) -> None:
    """Ctrl-C from the launcher: the child and its workers are interrupted. A launcher that went
    away (its terminal closed) leaves the build to finish: files are written whole or not at all."""
    import signal

    try:
        data = connection.recv(64)
    except OSError:
        data = b""
    if pid in children and b"int" in data:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGINT)
    if not data:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)


def _accept(listener: socket.socket, children: dict[int, socket.socket], selector: Any, records: Path) -> None:
    import selectors
    import struct

    connection, _ = listener.accept()
    fds: list[int] = []
    try:
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", credentials)
        if uid != os.getuid():
            raise OSError("another user")
        connection.settimeout(10)
        data, fds, _, _ = socket.recv_fds(connection, _MAX_REQUEST, 3)
        while not data.endswith(b"\n") and len(data) < _MAX_REQUEST:
            more = connection.recv(_MAX_REQUEST)
            if not more:
                break
            data += more
        request = json.loads(data)
        if len(fds) != 3:
            raise OSError("no terminal")
    except (OSError, ValueError):
        for fd in fds:
            os.close(fd)
        connection.close()
        return
    connection.settimeout(None)
    pid = os.fork()
    if pid == 0:                                              # the child: runs the command, never returns
        listener.close()
        selector.close()
        for other in children.values():                       # the other commands' connections
            other.close()
        _child(connection, fds, request, records)
    for fd in fds:
        os.close(fd)
    children[pid] = connection
    selector.register(connection, selectors.EVENT_READ, pid)


def _child(connection: socket.socket, fds: list[int], request: dict[str, Any], records: Path) -> None:
    import signal

    code = 1
    started = time.monotonic()
    try:
        os.setpgid(0, 0)                         # Ctrl-C reaches this process and its workers only
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
            os.close(fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.umask(0o022)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        _reopen_standard_streams()
        sys.argv = ["publish", *request["argv"]]
        connection.sendall(f"started {os.getpid()}\n".encode())
        from publish import early
        from publish.cli import run
        from publish.outputs_full import guarded

        early.disable()                          # this process is warm: no early worker to start
        try:
            guarded(run)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - whatever happens, the launcher gets an exit status
        import traceback

        traceback.print_exc()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)       # a second Ctrl-C: the status still goes back
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(Exception):
            with (records / LOG).open("a", encoding="utf-8") as log:
                log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} pid {os.getpid()} publish "
                          f"{' '.join(request.get('argv', []))} in {request.get('cwd')}: exit {code} "
                          f"in {time.monotonic() - started:.2f} s\n")
        with contextlib.suppress(Exception):
            connection.sendall(f"exit {code}\n".encode())
        os._exit(code)


def _reopen_standard_streams() -> None:
    """sys.stdout and sys.stderr on the launcher's terminal or pipe (the server's were /dev/null):
    line-buffered on a terminal, as Python makes them at start."""
    import io

    for number, name in ((1, "stdout"), (2, "stderr")):
        terminal = os.isatty(number)
        stream = io.TextIOWrapper(io.FileIO(number, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace" if number == 2 else "strict",
                                  line_buffering=terminal or number == 2, write_through=number == 2)
        setattr(sys, name, stream)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
