"""Architecture rules checked on the source text (issue 17).

- One-way layering: devices -> circuits -> arrays -> networks -> accel -> analysis -> cli.
  Every ``import`` statement counts, at module level and inside functions alike, and so do
  ``importlib.import_module("memlab....")`` calls with a literal name. The ground modules
  (``memlab.errors``, ``memlab._io``, ``memlab._validate``, ``memlab._table``,
  ``memlab.sweep``) may be used by every layer and use no layer; the root package
  ``memlab/__init__.py`` re-exports and sits above everything.
- No source file of the package over 600 lines.
- No run of six or more identical (whitespace-folded) code lines twice in the package code.

The scanner is tested on synthetic sources first, so a scanner that finds nothing fails.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: folder at the repository root -> import name of the package it installs as
FOLDERS = {"devices": "memlab.devices", "circuits": "memlab.circuits", "arrays": "memlab.arrays",
           "networks": "memlab.networks", "accel": "memlab.accel", "analysis": "memlab.analysis",
           "memlab": "memlab"}
ORDER = ["memlab.devices", "memlab.circuits", "memlab.arrays", "memlab.networks", "memlab.accel",
         "memlab.analysis", "memlab.cli"]
GROUND = ("memlab.errors", "memlab._io", "memlab._validate", "memlab._table", "memlab._version", "memlab._deprecate", "memlab.sweep")
MAX_LINES = 600
RUN = 6


def layer_of(module: str) -> int | None:
    """Rank of a memlab module in the one-way order: -1 ground, len(ORDER) the root package,
    None for modules outside memlab."""
    if module != "memlab" and not module.startswith("memlab."):
        return None
    for g in GROUND:
        if module == g or module.startswith(g + "."):
            return -1
    for rank, pkg in enumerate(ORDER):
        if module == pkg or module.startswith(pkg + "."):
            return rank
    if module == "memlab":
        return len(ORDER)
    # another memlab.<name> module that is not a layer: treat it as the root (top)
    return len(ORDER)


def package_files():
    for folder in FOLDERS:
        base = ROOT / folder
        if base.is_dir():
            yield from sorted(base.rglob("*.py"))


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    parts = list(rel.with_suffix("").parts)
    pkg = FOLDERS[parts[0]]
    rest = parts[1:]
    if rest and rest[-1] == "__init__":
        rest = rest[:-1]
    return ".".join([pkg] + rest)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, target module) of every import in ``source`` (module-level or nested)."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from memlab import accel` imports the subpackage memlab.accel
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.append((node.lineno, sub if _is_module(sub) else target))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            out.append((node.lineno, node.args[0].value))
    return out


_KNOWN: set[str] = set()


def _is_module(name: str) -> bool:
    if not _KNOWN:
        _KNOWN.update(module_name(p) for p in package_files())
    return name in _KNOWN


def violations(files) -> list[str]:
    bad = []
    for path in files:
        mod = module_name(path)
        src_rank = layer_of(mod)
        for line, target in imported_modules(path.read_text(), mod, path.name == "__init__.py"):
            rank = layer_of(target)
            if rank is None or target == mod or target.startswith(mod + "."):
                continue
            if rank > src_rank:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {mod} imports {target} (upward)")
    return bad


def test_scanner_finds_nested_relative_and_dynamic_imports():
    src = ("import numpy\nfrom memlab.errors import MemlabError\n"
           "def f():\n    from memlab.analysis import plot_iv\n    return plot_iv\n"
           "from ..accel import _zoo\n"
           "import importlib\nM = importlib.import_module('memlab.cli')\n")
    got = [t for _, t in imported_modules(src, "memlab.devices._simulate", False)]
    assert "memlab.analysis" in got and "memlab.accel._zoo" in got and "memlab.cli" in got
    assert layer_of("memlab.analysis") > layer_of("memlab.devices._simulate")
    assert layer_of("memlab.errors") == -1 and layer_of("memlab.sweep._local") == -1
    assert layer_of("numpy") is None


def test_layering_is_one_way():
    files = list(package_files())
    assert len(files) > 50          # the scan really reads the package
    bad = violations(files)
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_ground_modules_use_no_layer():
    bad = []
    for path in package_files():
        mod = module_name(path)
        if layer_of(mod) != -1:
            continue
        for line, target in imported_modules(path.read_text(), mod, path.name == "__init__.py"):
            if (layer_of(target) or -1) >= 0:
                bad.append(f"{path.relative_to(ROOT)}:{line}: ground module {mod} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_source_file_over_600_lines():
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in package_files()
            if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not long, "split these files:\n" + "\n".join(long)


def _code_lines(path: Path):
    """(line number, whitespace-folded text) of the lines that carry code: blank lines,
    comments, lone punctuation, imports and docstring-only lines are passed over."""
    out = []
    in_doc = False
    for k, raw in enumerate(path.read_text().splitlines(), 1):
        s = " ".join(raw.split())
        if s.count('"""') == 1:
            in_doc = not in_doc
            continue
        if in_doc or not s or s.startswith(("#", "import ", "from ", '"""')) or s in {")", "]", "}", "):", "],", "},", "else:", "try:", "return"}:
            continue
        out.append((k, s))
    return out


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def duplicate_runs(files, run: int = RUN) -> list[str]:
    seen = defaultdict(list)
    for path in files:
        lines = _code_lines(path)
        for j in range(len(lines) - run + 1):
            key = tuple(t for _, t in lines[j: j + run])
            seen[key].append((path, lines[j][0]))
    found = []
    for key, places in seen.items():
        if len(places) > 1:
            (p1, l1), (p2, l2) = places[0], places[1]
            found.append(f"{_rel(p1)}:{l1} ~ {_rel(p2)}:{l2}")
    return found


def test_duplicate_scan_detects_a_copy(tmp_path):
    body = "\n".join(f"    x{k} = compute({k}, y * {k})" for k in range(7))
    a = tmp_path / "a.py"
    b = tmp_path / "b.py"
    a.write_text(f"def f(y):\n{body}\n    return x0\n")
    b.write_text(f"def g(y):\n{body}\n    return x1\n")
    assert duplicate_runs([a, b])
    b.write_text("def g(y):\n    return y\n")
    assert not duplicate_runs([a, b])


def test_no_repeated_runs_of_six_lines():
    found = duplicate_runs(list(package_files()))
    assert not found, f"{len(found)} repeated runs of {RUN}+ lines:\n" + "\n".join(found[:20])


if __name__ == "__main__":   # pragma: no cover - a quick report from the command line
    print("\n".join(violations(list(package_files()))) or "layering: no upward import")
    raise SystemExit(pytest.main([__file__, "-q"]))


def test_root_package_exports_every_public_name_once():
    """``memlab`` re-exports each subpackage's ``__all__``; a name means one object everywhere."""
    import importlib

    import memlab
    owners: dict[str, tuple[str, object]] = {}
    clashes = []
    for pkg in ORDER[:-1] + ["memlab.sweep"]:
        try:
            mod = importlib.import_module(pkg)
        except ModuleNotFoundError:
            continue             # a layer that does not exist yet (networks)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if name in owners and owners[name][1] is not obj:
                clashes.append(f"{name}: {owners[name][0]} and {pkg}")
            owners.setdefault(name, (pkg, obj))
    assert not clashes, "public names that mean different things:\n" + "\n".join(clashes)
    missing = [n for n, (_, obj) in owners.items() if getattr(memlab, n, None) is not obj]
    assert not missing, f"not re-exported by memlab: {missing}"
    assert set(owners) <= set(memlab.__all__)
    assert len(memlab.__all__) == len(set(memlab.__all__))
    stale = [n for n in memlab.__all__ if not hasattr(memlab, n)]
    assert not stale, f"memlab.__all__ names that no subpackage exports: {stale}"
