"""The package's layers, checked: no import circle, and no lower layer imports a higher one.

Every ``import`` counts, including those inside functions (a lazy import is
still a dependency). Layers, lowest first — a module may import its own layer
or lower ones, never a higher one::

    0  errors, common, _keras_setup
    1  text, data/*, validation, sampling, language
    2  encoding, optimizers, evaluation, coverage
    3  models, training, store, baseline, batch, streaming, csv_counts, csv_batches
    4  classifier
    5  interpret/*, experiments/*
    6  cli/*
    7  ui/*   (the only layer that imports streamlit)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rnnclf"

LAYERS = [
    ("rnnclf.errors", "rnnclf.common", "rnnclf._keras_setup", "rnnclf.tweet_tokenizer"),
    ("rnnclf.text", "rnnclf.data", "rnnclf.validation", "rnnclf.sampling", "rnnclf.language"),
    ("rnnclf.encoding", "rnnclf.optimizers", "rnnclf.evaluation", "rnnclf.coverage"),
    ("rnnclf.models", "rnnclf.training", "rnnclf.store", "rnnclf.baseline", "rnnclf.batch", "rnnclf.streaming",
     "rnnclf.csv_counts", "rnnclf.csv_batches"),
    ("rnnclf.classifier",),
    ("rnnclf.interpret", "rnnclf.experiments", "rnnclf.mistakes", "rnnclf.dask"),
    ("rnnclf.cli", "rnnclf.__main__"),
    ("rnnclf.ui",),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    return None


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """rnnclf modules imported anywhere in ``path`` (``from a import b`` counts ``a.b`` when it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("rnnclf"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rnnclf") and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
    return {name for name in found if name in modules and name != "rnnclf"}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imports_of(path, modules) - {name} for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_checker_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_has_a_layer():
    unplaced = sorted(name for name in import_graph() if name != "rnnclf" and layer_of(name) is None)
    assert not unplaced, f"add these modules to LAYERS: {unplaced}"


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(import_graph()))
def test_no_module_imports_a_higher_layer(module):
    if module == "rnnclf":
        return
    upward = sorted(target for target in import_graph()[module] if layer_of(target) > layer_of(module))
    assert not upward, f"{module} (layer {layer_of(module)}) imports higher layers: {upward}"


def test_only_the_ui_imports_streamlit():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if module_name(path).startswith("rnnclf.ui"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] == "streamlit" for name in names):
                offenders.append(module_name(path))
    assert not offenders
