"""The house rules that a reader cannot check at a glance (issues 8, 17): import graph, layers, fast --help."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "journal_agent"
HEAVY = ("lancedb", "openai", "mkdocs", "tiktoken", "pyarrow", "numpy", "tokenizers", "material", "mcp")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every ``journal_agent`` (and ``click``) module imported by ``path``: function-level imports and
    ``if TYPE_CHECKING:`` blocks included (a type-only import still ties the two modules together)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                target = candidate if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists() \
                    or (PACKAGE.parent / candidate.replace(".", "/") / "__init__.py").exists() else node.module
                found.append((target, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.split(".")[0] in {"journal_agent", "click"}]


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_import_cycles_counting_function_level_and_type_checking_imports():
    modules = _modules()
    graph = {name: {target for target, _ in _imports(path) if target in modules and target != name}
             for name, path in modules.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_click_only_in_the_cli_package():
    offenders = [f"{name}:{line}" for name, path in _modules().items() if not name.startswith("journal_agent.cli")
                 for target, line in _imports(path) if target.split(".")[0] == "click"]
    assert offenders == []


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


# (importer, imported): modules in the first package never import modules in the second.
FORBIDDEN_LAYERS = [
    ("journal_agent.notes", "journal_agent.archive"),
    ("journal_agent.notes", "journal_agent.agent"),
    ("journal_agent.archive", "journal_agent.agent"),
    ("journal_agent.archive", "journal_agent.site"),
    ("journal_agent.archive", "journal_agent.review"),
    ("journal_agent.archive", "journal_agent.cli"),
    # search, one room per idea: retrieval (halves, fusion, one hit per entry) <- structure (what a question names
    # of the journal) <- search (the pipeline).
    ("journal_agent.archive.retrieval", "journal_agent.archive.structure"),
    ("journal_agent.archive.retrieval", "journal_agent.archive.search"),
    ("journal_agent.archive.structure", "journal_agent.archive.search"),
]


def test_lower_layers_never_import_higher_ones():
    """Notes below the archive, the archive below the agent, the site, review and the CLI; only the CLI
    imports the CLI."""
    offenders = []
    for name, path in _modules().items():
        for target, line in _imports(path):
            forbidden = any(_within(name, low) and _within(target, high) for low, high in FORBIDDEN_LAYERS)
            if forbidden or (_within(target, "journal_agent.cli") and not _within(name, "journal_agent.cli")):
                offenders.append(f"{name}:{line} imports {target}")
    assert offenders == []


def test_the_layering_test_sees_a_forbidden_import(tmp_path):
    """The checks above read real imports: a function-level and a type-only import are both found."""
    source = tmp_path / "probe.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from journal_agent.agent import llm\n"
                      "def f():\n    import journal_agent.cli\n", encoding="utf-8")
    assert _imports(source) == [("journal_agent.agent.llm", 3), ("journal_agent.cli", 5)]


@pytest.mark.slow
def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from journal_agent.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parent)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _requirement_name(spec: str) -> str:
    """``"lancedb>=0.40,<0.41"`` → ``"lancedb"``, normalized as PEP 503 does."""
    import re

    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]).lower()


def test_every_imported_library_is_declared_and_locked():
    """A fresh install gets what the code imports (PyYAML was imported, not declared: issue 17), at the
    version the suite passed with: every declared dependency is pinned in ``constraints.txt``."""
    import importlib.metadata
    import tomllib

    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_requirement_name(spec) for spec in project["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {}
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in sys.stdlib_module_names or top == "journal_agent":
                    continue
                owners = {_requirement_name(d) for d in distributions.get(top, [top])}
                if not owners & declared:
                    undeclared[f"{name}:{node.lineno}"] = top
    assert undeclared == {}
    pinned = {_requirement_name(line) for line in (PACKAGE.parent / "constraints.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    extras = {_requirement_name(spec) for spec in project["optional-dependencies"]["test"]}
    assert sorted((declared | extras) - pinned) == []
