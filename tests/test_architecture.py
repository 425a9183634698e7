"""The shape of the code (docs/architecture.md): no import cycles, counting imports inside
functions, and none of the arrows the design forbids."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "publish"
FORMATS = ("pdf", "epub", "email", "feeds", "site")


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every publish module `name` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")} - {name}


GRAPH = {name: {m for m in _imports(name, path) if m in MODULES} for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycles() -> None:
    assert _cycles() == []


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _arrows(source_prefix: str, target_prefixes: tuple[str, ...]) -> list[str]:
    return sorted(f"{source} -> {target}" for source, targets in GRAPH.items() if _under(source, source_prefix)
                  for target in targets if any(_under(target, t) for t in target_prefixes))


@pytest.mark.parametrize(("source", "forbidden"), [
    ("publish.model", ("publish.exporters", "publish.content", "publish.pipeline", "publish.cli", "publish.serve")),
    ("publish.exporters", ("publish.content", "publish.cli", "publish.pipeline", "publish.serve")),
    ("publish.serve", ("publish.exporters",)),
    ("publish.engines", ("publish.config", "publish.content", "publish.exporters", "publish.pipeline")),
])
def test_never_arrows(source: str, forbidden: tuple[str, ...]) -> None:
    assert _arrows(source, forbidden) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_never_import_each_other(fmt: str) -> None:
    others = tuple(f"publish.exporters.{other}" for other in FORMATS if other != fmt)
    assert _arrows(f"publish.exporters.{fmt}", others) == []


def test_shared_modules_import_no_format() -> None:
    shared = [m for m in MODULES if m.count(".") == 1 and m not in ("publish.cli", "publish.pipeline")]
    found = sorted(f"{m} -> {t}" for m in shared for t in GRAPH[m] if _under(t, "publish.exporters"))
    allowed = {"publish.registry -> publish.exporters.base", "publish.state -> publish.exporters.base",
               "publish.listing -> publish.exporters.base", "publish.manifest -> publish.exporters.base",
               "publish.prune -> publish.exporters.base", "publish.workers -> publish.exporters.base",
               "publish.delivery -> publish.exporters.base", "publish.cluster -> publish.exporters.base",
               "publish.early -> publish.exporters.base"}
    assert [arrow for arrow in found if arrow not in allowed] == []


def test_the_graph_sees_imports_inside_functions() -> None:
    """The check must not be fooled by an import hidden in a function (the way cycles hid before)."""
    assert "publish.exporters.pdf.render" in GRAPH["publish.exporters.pdf"]


def test_no_module_is_longer_than_500_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > 500}
    assert long == {}
