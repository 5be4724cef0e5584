"""Sphinx configuration of the memlab documentation (``make docs``).

The tutorials are sphinx-gallery scripts ``tutorials/tNN_<name>.py``: every one is executed
by the build (a failing tutorial fails it), in file-name order, with figures captured.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from memlab._version import __version__  # noqa: E402

project = "memlab"
author = "the memlab authors"
copyright = "2026, the memlab authors (MIT licence)"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "tutorials", "auto_tutorials/*.ipynb", "auto_tutorials/*.py", "**.codeobj.json"]
# ambiguous short cross-references in docstrings (e.g. `unit` of Param and StateVar) are not errors
suppress_warnings = ["ref.python"]
templates_path: list[str] = []
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# API reference: the docstrings (numpy style, parsed by napoleon); members in __all__ order
autodoc_default_options = {"members": True, "member-order": "bysource", "show-inheritance": False}
autodoc_typehints = "description"
autodoc_mock_imports: list[str] = []
napoleon_numpy_docstring = True
napoleon_google_docstring = False
autosummary_generate = False

# sphinx-gallery: every tNN_*.py is executed (broken example -> failed build)
sphinx_gallery_conf = {
    "examples_dirs": ["tutorials"],
    "gallery_dirs": ["auto_tutorials"],
    "filename_pattern": r"/t\d\d_",
    "ignore_pattern": r"(__init__|conftest)\.py",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "write_computation_times": False,
}

html_theme = "alabaster"
html_title = f"memlab {release}"
html_static_path: list[str] = []
html_theme_options = {"description": "Memristors, from device physics to AI chips", "fixed_sidebar": True,
                      "page_width": "1100px", "sidebar_width": "230px"}

# a clean build from a fresh clone: no environment-dependent paths in the output
os.environ.setdefault("MPLBACKEND", "Agg")


# ----------------------------------------------------------------------------- API pages
# One page per package, written at build time from the package's __all__ (so a name added by
# any branch appears without editing these files). A name re-exported from a lower layer
# (memlab.arrays.Resistor is memlab.devices.Resistor) is documented once, where it is
# defined, and the other page links to it.
API_PACKAGES = {
    "devices": "compact models, simulation, variability, fitting",
    "circuits": "ngspice netlists, Verilog-A, cells",
    "arrays": "crossbar solver and analog MVM",
    "networks": "networks on tiles of crossbars",
    "accel": "system models of AI chips",
    "analysis": "fingerprints, accuracy studies, the report",
    "sweep": "grid and Monte Carlo sweeps",
    "errors": "the exception hierarchy",
}


def _home(obj, default):
    """The documented package an object is defined in (``devices`` for memlab.devices._cell)."""
    mod = getattr(obj, "__module__", None) or ""
    parts = mod.split(".")
    if len(parts) >= 2 and parts[0] == "memlab" and parts[1] in API_PACKAGES:
        return parts[1]
    return default


def _write_api_pages(app):
    import importlib
    import inspect

    out = Path(app.srcdir) / "api"
    out.mkdir(exist_ok=True)
    index = ["API reference", "=============", "",
             "Generated from the docstrings. Every public name is in its package's ``__all__`` and is",
             "re-exported by ``memlab`` itself (``memlab.VTEAM`` is ``memlab.devices.VTEAM``). All",
             "quantities are SI: V, A, ohm, S, s, J, W.", "", ".. toctree::", "   :maxdepth: 1", ""]
    documented: dict[int, str] = {}
    for pkg in API_PACKAGES:            # layer order: the first (lowest) home wins
        mod = importlib.import_module(f"memlab.{pkg}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if _home(obj, pkg) == pkg and (inspect.isclass(obj) or inspect.isfunction(obj)):
                documented.setdefault(id(obj), f"memlab.{pkg}.{name}")
    for pkg, what in API_PACKAGES.items():
        mod = importlib.import_module(f"memlab.{pkg}")
        title = f"memlab.{pkg}: {what}"
        lines = [title, "=" * len(title), "", f".. automodule:: memlab.{pkg}", "   :no-members:", "",
                 f".. currentmodule:: memlab.{pkg}", ""]
        body, elsewhere = [], []
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            home = documented.get(id(obj))
            if home is not None and home != f"memlab.{pkg}.{name}":
                elsewhere.append(f"* ``{name}``: :obj:`{home}`")
            elif inspect.isclass(obj):
                kind = "autoexception" if issubclass(obj, BaseException) else "autoclass"
                body += [f".. {kind}:: {name}", "   :members:", ""]
            elif inspect.isfunction(obj):
                body += [f".. autofunction:: {name}", ""]
            else:
                body += [f".. autodata:: {name}", "   :no-value:", ""]
        lines += body
        if elsewhere:
            lines += ["Re-exported from a lower layer", "-" * 30, ""] + elsewhere + [""]
        text = "\n".join(lines)
        page = out / f"{pkg}.rst"
        if not page.exists() or page.read_text() != text:
            page.write_text(text)
        index.append(f"   {pkg}")
    text = "\n".join(index) + "\n"
    if not (out / "index.rst").exists() or (out / "index.rst").read_text() != text:
        (out / "index.rst").write_text(text)


# ----------------------------------------------------------------------------- docstrings
# The docstrings are written for the terminal first (help()): |x| is an absolute value, not
# an RST substitution, and a few headers carry a note ("Parameters (SI units)"). This hook
# makes such text valid reStructuredText; a docstring that still does not parse cleanly is
# shown verbatim (a literal block) rather than mangled.
_ABS = re.compile(r"(?<![\\|])\|([^|\n`]{1,60}?)\|(?!\|)")
_SECTION_NOTE = re.compile(r"^(\s*)(Parameters|Returns|Attributes|Raises|Notes) \(([^)]*)\)\s*$")


def _clean_docstring(app, what, name, obj, options, lines):
    out = []
    for k, line in enumerate(lines):
        m = _SECTION_NOTE.match(line)
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        if m and set(nxt.strip()) == {"-"}:
            out += [f"{m.group(1)}{m.group(2)} are in {m.group(3)}.", "", f"{m.group(1)}{m.group(2)}"]
            continue
        if set(line.strip()) == {"-"} and out and len(out[-1].strip()) > len(line.strip()):
            line = line.replace(line.strip(), "-" * len(out[-1].strip()))
        if not re.match(r"^\s*(\|.*\||\+[-=+]+\+|\.\. )\s*$", line):
            line = _ABS.sub(lambda mm: "\\|" + mm.group(1) + "\\|", line)
        out.append(line)
    lines[:] = out


def _verbatim_if_broken(app, what, name, obj, options, lines):
    """After napoleon: parse the docstring with docutils; on any warning show it verbatim."""
    import io

    if not "\n".join(lines).strip():
        return
    # a plain-docutils copy: Sphinx roles become literals, Sphinx directives (and their
    # option lines) plain containers, so that only reStructuredText itself is judged
    test, in_directive = [], False
    for l in lines:
        m = re.match(r"^(\s*)\.\. [\w:-]+::", l)
        if m:
            test.append(m.group(1) + ".. container::")
            in_directive = True
            continue
        if in_directive and re.match(r"^\s+:[\w-]+:", l):
            continue
        in_directive = False
        test.append(re.sub(r":[\w:.-]+:`([^`]*)`", r"``\1``", l))
    stream = io.StringIO()
    try:
        from docutils.frontend import get_default_settings
        from docutils.parsers.rst import Parser
        from docutils.utils import new_document

        settings = get_default_settings(Parser)
        settings.warning_stream, settings.report_level, settings.halt_level = stream, 2, 5
        settings.file_insertion_enabled, settings.raw_enabled = False, False
        doc = new_document(f"<{name}>", settings)
        Parser().parse("\n".join(test), doc)
    except Exception:  # noqa: BLE001 - a docstring the check cannot judge is left as it is
        return
    problems = [l for l in stream.getvalue().splitlines()
                if ("WARNING" in l or "ERROR" in l or "SEVERE" in l)
                and "Unknown interpreted text role" not in l and "Unknown directive type" not in l
                and "No role entry" not in l and "No directive entry" not in l
                and 'Trying "' not in l]
    if problems:
        lines[:] = ["::", ""] + ["    " + l for l in lines] + [""]


def setup(app):
    app.connect("builder-inited", _write_api_pages)
    app.connect("autodoc-process-docstring", _clean_docstring, priority=400)
    app.connect("autodoc-process-docstring", _verbatim_if_broken, priority=900)
