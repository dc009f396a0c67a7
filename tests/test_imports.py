"""The package's import graph has no cycle: every ``import`` and ``from ... import`` between adamdyn's
modules (at any depth of a module, functions included), read from the source, forms a DAG."""
import ast
from pathlib import Path

import adamdyn

SRC = Path(adamdyn.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    edges = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)] if node.level else []
                target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module
                found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names}
        edges[name] = {m for m in found if m in modules and m != name}
    return edges


def test_the_package_has_no_import_cycle():
    modules = _modules()
    edges = _edges(modules)
    assert edges["adamdyn.batched"] and "adamdyn.runs" in edges["adamdyn.engine"]  # the graph is read
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(edges[node]):
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join(path + [nxt])
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [m])
