"""The package's shape, read from the source: no import cycles, and each layer imports only those below it.

Imports inside functions count like any other (an import moved into a function still makes
the module depend on the other one), so a cycle cannot be hidden that way.
"""

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

# Lowest first. A module may import modules of its own layer and of the layers before it;
# calibration and sweeps are side by side (neither imports the other), and so are the two commands' packages.
LAYERS = (
    ("sim.version",),
    ("sim.domain",),
    ("sim.config",),
    ("sim.outputs",),
    ("sim.model",),
    ("sim.projection",),
    ("sim.calibration", "sim.sweeps"),
    ("sim.cli", "sim.dashboard"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported sim module, line, inside a function) for every import of `path`, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, inside) for a in child.names if a.name.split(".")[0] == "sim")
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.split(".")[0] == "sim":
                assert child.level == 0, f"{path}:{child.lineno}: use absolute imports"
                for alias in child.names:  # `from sim.x import y`: y may be a module of its own
                    sub = f"{child.module}.{alias.name}"
                    found.append((sub if sub in MODULES else child.module, child.lineno, inside))
            visit(child, inside)

    visit(tree, False)
    return found


GRAPH = {name: sorted({target for target, _, _ in imports_of(path)} - {name}) for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    for rank, packages in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in packages):
            return rank
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS (and to the README's layout)")


def package_of(module: str) -> str:
    return next(p for packages in LAYERS for p in packages if module == p or module.startswith(p + "."))


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = walk(start)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b", "c"], "b": ["c"], "c": []}) is None


def test_no_import_cycles_in_sim():
    assert len(MODULES) > 40  # the whole package was read
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "sim"))
def test_each_module_imports_only_its_own_layer_and_those_below(module):
    rank = layer_of(module)
    for target, line, _ in imports_of(MODULES[module]):
        assert target != "sim", f"{module}:{line} imports the package root (which imports every layer)"
        other = layer_of(target)
        same_package = package_of(target) == package_of(module)
        assert other < rank or same_package, (
            f"{module}:{line} imports {target}, a module of a layer above or beside its own "
            f"({package_of(target)} vs {package_of(module)}); layers: {LAYERS}")


def test_package_root_imports_the_layers_lowest_first():
    order = [target for target, _, _ in imports_of(MODULES["sim"])]
    first = list(dict.fromkeys(package_of(t) for t in order))  # each layer's package, at its first import
    assert first == ["sim.version", "sim.domain", "sim.config", "sim.outputs", "sim.model", "sim.projection",
                     "sim.sweeps"], (
        f"sim/__init__.py imports {order}: the layers up to sim.projection, lowest first, then sim.sweeps (compare)")


FIGURE_MODULES = {"sim.outputs.figures", "sim.sweeps.figures", "sim.sweeps.report", "sim.sweeps.sensitivity"}


def test_only_figure_modules_are_imported_inside_functions():
    """An import inside a function is for a heavy optional dependency (matplotlib: the modules that draw; submitit,
    for Slurm sweeps only: 0.13 s that every `journeys` run would pay), never to dodge a cycle: `import sim` loads
    no matplotlib."""
    lazy = {target for module, path in MODULES.items() for target, _, inside in imports_of(path) if inside}
    allowed = FIGURE_MODULES | {"sim.sweeps.slurm_queue"}
    assert lazy <= allowed, lazy - allowed


def test_importing_sim_loads_no_matplotlib():
    import subprocess
    import sys

    code = "import sys, sim; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=SIM.parent)
    assert done.stdout.strip() == "False", done.stderr


def test_no_private_names_imported_across_modules():
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
                assert not private, f"{module}:{node.lineno} imports private names {private} from {node.module}"


def test_tests_do_not_import_conftest():
    """Shared helpers live in tests/helpers.py; conftest.py is pytest's, not a module to import."""
    for path in Path(__file__).resolve().parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [
                a.name for a in node.names] if isinstance(node, ast.Import) else []
            assert "conftest" not in names, f"{path.name}:{node.lineno} imports conftest"
