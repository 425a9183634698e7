"""Process trees sampled from /proc: summed resident memory and CPU of a process and its descendants.

Linux only (benchmarks are never run elsewhere). One read of /proc/<pid>/stat per process gives the
parent, the CPU so far and the resident set size (the same counter as VmRSS in /proc/<pid>/status).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


Process = tuple[int, int, float, str]       # parent pid, resident bytes, CPU seconds so far, command name


def snapshot() -> dict[int, Process]:
    """Every process now, by pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
            name, rest = text[text.index("(") + 1:].rsplit(")", 1)
            fields = rest.split()
        except (OSError, ValueError):
            continue                                     # the process ended while we looked
        found[int(entry)] = (int(fields[1]), int(fields[21]) * PAGE, (int(fields[11]) + int(fields[12])) / TICKS, name)
    return found


def members(roots: tuple[int, ...], processes: dict[int, Process]) -> set[int]:
    """The roots and all their descendants among `processes`."""
    children: dict[int, list[int]] = {}
    for pid, (parent, *_) in processes.items():
        children.setdefault(parent, []).append(pid)
    found, frontier = set(roots), list(roots)
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def tree_cpu(*roots: int) -> float:
    """CPU seconds used so far by the living processes of these trees."""
    processes = snapshot()
    return sum(processes[pid][2] for pid in members(roots, processes) if pid in processes)


class TreeMemory:
    """Samples the trees of one or more processes every 50 ms until stopped: the peak of their summed
    RSS (`peak`) and how it was made up (`at_peak`: (pid, command name, RSS) of each member, largest
    first), and the most CPU seen for each member (`seen_cpu`: a lower bound of what the trees used,
    since each process's last 50 ms may be missed)."""

    def __init__(self, pid: int, *more: int) -> None:
        self.roots = (pid, *more)
        self.peak = 0
        self.at_peak: list[tuple[int, str, int]] = []
        self.cpu: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            processes = snapshot()
            tree = [pid for pid in members(self.roots, processes) if pid in processes]
            if first:                                    # long-lived roots (cluster workers): count from now
                self._start = {pid: processes[pid][2] for pid in tree}
                first = False
            total = sum(processes[pid][1] for pid in tree)
            if total > self.peak:
                self.peak = total
                self.at_peak = sorted(((pid, processes[pid][3], processes[pid][1]) for pid in tree),
                                      key=lambda member: -member[2])
            for pid in tree:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), processes[pid][2])
            time.sleep(0.05)

    @property
    def seen_cpu(self) -> float:
        return sum(cpu - self._start.get(pid, 0.0) for pid, cpu in self.cpu.items())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak
