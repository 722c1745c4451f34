"""Engines only judge text: no module under core/engines reaches core.store, even indirectly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
ENGINES = ROOT / "core" / "engines"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(module: str, path: Path) -> set[str]:
    """Every module the file imports, at the top or inside functions, as absolute names."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from core import store` imports a module, not a name
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "core" or name.startswith("core.")}


def _reachable(start: str) -> dict[str, str]:
    """Every core module imported from start, transitively, each with who imported it."""
    seen = {start: ""}
    todo = [start]
    while todo:
        module = todo.pop()
        path = _source(module)
        if path is None:
            continue
        for name in _imports(module, path):
            # importing a.b.c runs a and a.b first
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                parent = ".".join(parts[:end])
                if parent not in seen and _source(parent) is not None:
                    seen[parent] = module
                    todo.append(parent)
    return seen


ENGINE_MODULES = sorted(_module_name(path) for path in ENGINES.rglob("*.py"))


def test_layering_finds_engine_modules() -> None:
    assert "core.engines.llm" in ENGINE_MODULES and len(ENGINE_MODULES) > 10


def test_layering_walk_sees_an_indirect_import() -> None:
    # the walk itself: core.evaluation reads the catalogue's database copy
    assert "core.store" in _reachable("core.evaluation")


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_imports_no_store(module: str) -> None:
    reached = _reachable(module)
    offenders = sorted(name for name in reached if name.split(".")[:2] == ["core", "store"])
    chain = {name: reached[name] for name in offenders}
    assert not offenders, f"{module} reaches {offenders} (imported by {chain})"
