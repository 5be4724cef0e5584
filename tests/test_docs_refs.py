"""Every file that a docstring, comment or document of the repository cites exists in it.

Issue 16: 39 docstrings cited ``references.md``, a file of the team's shared folder that a
clone does not have. A citation here is a repository path (its first folder is a top-level
folder of the repository: ``docs/notes/devices.md``, ``tests/conftest.py``) or a bare
Markdown/reST file name (``references.md``, ``CHANGELOG.md``); paths of other projects'
repositories (``memtorch/bh/...``) and run-time outputs (``out/report.html``) are not
repository citations. In Python files the paths are looked for in comments and string
literals (:mod:`tokenize`), the bare names in comments and docstrings only (a string such
as ``"map.md"`` is an output file name); Markdown and reST files are read as text, and a
``../`` path there is relative to the file.
"""
import ast
import io
import re
import subprocess
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACKED = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
TOP = {p.split("/")[0] for p in TRACKED if "/" in p}
_EXT = r"(?:py|md|rst|txt|yaml|yml|toml|cfg|json|cff|csv|cir|va|onnx)"
_PATH = re.compile(r"(?<![\w.{}<>-])((?:[\w.-]+/)+[\w.-]+\." + _EXT + r")(?![\w/])")
_BARE_DOC = re.compile(r"(?<![\w./{}<>-])([\w-]+\.(?:md|rst))(?![\w/])")


def _texts(path: Path):
    """(line, text, prose) of a file: prose is True for comments, docstrings and documents."""
    src = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".py":
        return [(k, line, True) for k, line in enumerate(src.splitlines(), 1)]
    docstrings = set()
    for node in ast.walk(ast.parse(src)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.add(body[0].value.lineno)
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            out.append((tok.start[0], tok.string, True))
        elif tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            out.append((tok.start[0], tok.string, tok.start[0] in docstrings))
    return out


def citations():
    """(file, line, cited path) for every repository citation in the tracked text files."""
    found = []
    for rel in TRACKED:
        if not rel.endswith((".py", ".md", ".rst", ".cff")) or rel in ("CHANGELOG.md", "tests/test_docs_refs.py"):
            continue   # the changelog quotes old commit messages as they were; this file names the old file
        for line, text, prose in _texts(ROOT / rel):
            for m in _PATH.finditer(text):
                p = m.group(1)
                if p.startswith("../") and not rel.endswith(".py"):
                    p = _normal(f"{Path(rel).parent.as_posix()}/{p}")
                if p.split("/")[0] in TOP or p.startswith(("shared/", "../")):
                    found.append((rel, line, p))
            if prose:
                found += [(rel, line, m.group(1)) for m in _BARE_DOC.finditer(text)]
    return found


def _normal(p: str) -> str:
    parts = []
    for part in p.split("/"):
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _exists(cited: str) -> bool:
    if "/" in cited:
        return cited in TRACKED or (ROOT / cited).exists() and not cited.startswith(("shared/", "../"))
    return any(Path(p).name == cited for p in TRACKED)


def test_every_cited_file_exists():
    missing = [f"{f}:{line}: {p}" for f, line, p in citations() if not _exists(p)]
    assert not missing, "cited files missing from the repository:\n" + "\n".join(missing)


def test_the_check_finds_citations():
    cited = {p for _, _, p in citations()}
    # the notes that replaced references.md are cited, by source files of several layers
    assert {"docs/notes/devices.md", "docs/notes/hardware.md", "docs/notes/fitting.md"} <= cited
    assert not any(p.endswith("references.md") for p in cited)


def test_no_third_party_data_in_the_repository():
    """The Knowm loops are GPL-3.0 and read from MEMLAB_DATA at run time, never committed."""
    knowm = [p for p in TRACKED if re.search(r"__(Memristor|Resistor_plus_Memristor)\.csv$", p)
             or "knowm_wsdc" in p]
    assert knowm == []
