"""Sessions: tests, lint, typecheck, bench. System packages come from scripts/setup.sh."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".", "mypy", "types-PyYAML")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Speed and memory ratios against a Pandoc+WeasyPrint loop, measured in the same run."""
    session.install("-e", ".")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(name="bench-serve")
def bench_serve(session: nox.Session) -> None:
    """`publish serve` against nginx (where installed) with wrk, on the same output, in the same run."""
    session.install("-e", ".")
    session.run("python", "benchmarks/serve.py", *session.posargs)


@nox.session(name="bench-watch")
def bench_watch(session: nox.Session) -> None:
    """The author's loop (`publish serve --watch`, no-op and one-edit runs) against the same baseline."""
    session.install("-e", ".")
    session.run("python", "benchmarks/watch.py", *session.posargs)


@nox.session(name="bench-scale")
def bench_scale(session: nox.Session) -> None:
    """Cold builds of 200, 1,000 and 2,000 articles (CPU per article, peak memory, longest task);
    `-- --cluster`: a local Dask cluster of two workers against the local pool."""
    session.install("-e", ".[dask]")
    session.run("python", "benchmarks/scale.py", *session.posargs)
