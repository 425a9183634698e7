"""Problems found while publishing, as the user sees them: each names its file when it has one,
is said once, in the same order on every run, and a warning shared by several articles is one
line that counts them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    path: Path | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class HasProblems:
    """Errors and warnings of anything that collects Problems, as the user sees them: each once, in
    the same order on every run, and a warning shared by several articles said once for all."""

    problems: list[Problem]

    @property
    def shown(self) -> list[Problem]:
        return grouped(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.shown if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.shown if p.severity == "warning"]


NAMED_IN_GROUP = 3            # articles named in a grouped warning; the rest are counted


def grouped(problems: list[Problem]) -> list[Problem]:
    """Problems deduplicated and sorted (errors first, then site-wide lines, then by file); a warning
    with the same text for several files becomes one line that counts them."""
    unique = sorted(set(problems), key=lambda p: (p.severity != "error", p.path is not None, str(p.path or ""),
                                                  p.message))
    files_by_warning: dict[str, list[Path]] = {}
    for problem in unique:
        if problem.severity == "warning" and problem.path is not None:
            files_by_warning.setdefault(problem.message, []).append(problem.path)
    shown: list[Problem] = []
    done: set[str] = set()
    for problem in unique:
        files = files_by_warning.get(problem.message, []) if problem.severity == "warning" else []
        if len(files) < 2:
            shown.append(problem)
            continue
        if problem.message in done:
            continue
        done.add(problem.message)
        names = ", ".join(path.name for path in files[:NAMED_IN_GROUP])
        more = f" and {len(files) - NAMED_IN_GROUP} more" if len(files) > NAMED_IN_GROUP else ""
        shown.append(Problem("warning", None, f"{len(files)} articles: {problem.message} ({names}{more})"))
    return sorted(shown, key=lambda p: (p.severity != "error", p.path is not None, str(p.path or "")))
