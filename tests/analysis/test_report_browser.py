"""The report in a real browser: headless Chromium (Debian's ``chromium``, installed by
``make test``) renders ``report.html``; no image is broken, every link resolves and every
table-of-contents entry points at a section of the page.

A small report is written by :func:`memlab.analysis.write_report` with its studies replaced
by stand-ins that use the same report API (figures, key results, tables, sections), so the
page is assembled exactly as in ``memlab demo`` in about a second. The checks run in the
page: a script appended to a copy of the report records, once the page has loaded, the
images that did not decode, the links whose target is missing and the contents entries
without a section; ``chromium --dump-dom`` prints the result.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from memlab._table import write_table
from memlab.analysis import _report, new_figure, save_figure

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_CHECK = """<script>
window.addEventListener("load", () => {
  const out = {images: [], anchors: [], toc: [], files: [], n_images: 0, n_toc: 0};
  for (const img of document.images) {
    out.n_images++;
    if (!(img.complete && img.naturalWidth > 0)) out.images.push(img.getAttribute("data-file") || img.src.slice(0, 60));
  }
  for (const a of document.querySelectorAll("a[href]")) {
    const h = a.getAttribute("href");
    if (h.startsWith("#")) { if (!document.getElementById(h.slice(1))) out.anchors.push(h); }
    else out.files.push(h);
  }
  for (const a of document.querySelectorAll("nav#contents a")) {
    out.n_toc++;
    const t = document.getElementById(a.getAttribute("href").slice(1));
    if (!t || t.tagName !== "SECTION") out.toc.push(a.getAttribute("href"));
  }
  const pre = document.createElement("pre"); pre.id = "browser-check"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def browser_check(html_file: Path, timeout: float = 60.0) -> dict:
    """Render ``html_file`` in headless Chromium and return what the in-page check found:
    ``images`` that did not decode, ``anchors`` without a target, ``toc`` entries that are not
    sections, ``files`` (the relative links, checked on disk here: ``missing_files``)."""
    probe = html_file.with_name(html_file.stem + ".browser-check.html")
    probe.write_text(html_file.read_text().replace("</body>", _CHECK + "</body>"))
    try:
        run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                              "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
                              probe.as_uri()], capture_output=True, text=True, timeout=timeout)
    finally:
        probe.unlink()
    m = re.search(r'<pre id="browser-check">(.*?)</pre>', run.stdout, re.S)
    assert m, f"the page did not finish loading in Chromium: {run.stderr[-2000:]}"
    res = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    res["missing_files"] = [h for h in res["files"] if not re.match(r"[a-z]+:", h)
                            and not (html_file.parent / h.split("#")[0]).is_file()]
    return res


def _stub(title, *, n_fig=1, table=True):
    def section(R, *a):
        figs = ""
        for k in range(n_fig):
            fig, ax = new_figure(size=(3.0, 2.2))
            ax.semilogy([1, 2, 3], [1e-3, 2e-3, 4e-3], label="stand-in")
            ax.set_xlabel("x (1)")
            ax.set_ylabel("y (A)")
            figs += R.figure(save_figure(fig, R.out / "stub" / f"{_report.slug(title)}_{k}"), f"{title} figure {k}",
                             "nothing")
        if table:
            R.tables.append(R.rel(write_table([{"a": 1, "b": 2.5}], R.out / "stub" / f"{_report.slug(title)}.csv")))
        R.key(title.split(":")[0], f"{title} number", 0.125, style="percent")
        R.conclusions.append(f"{title}: a conclusion.")
        R.section(title, "A stand-in study.", "That the page works.", f'<div class="grid">{figs}</div>')
    return section


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "out"
    names = {"_devices": "Devices: compact models", "_fit": "Devices: fitting measured loops",
             "_xbar": "Arrays: one crossbar solve", "_mvm": "Arrays: MVM accuracy",
             "_monte_carlo": "Arrays: Monte Carlo sweep", "_program": "Arrays: programming in time", "_dnn": "Networks: DNN accuracy",
             "_chips": "Accelerators: chip comparison"}
    with pytest.MonkeyPatch.context() as mp:
        for fn, title in names.items():
            mp.setattr(_report, fn, _stub(title, n_fig=2 if fn == "_mvm" else 1))
        res = _report.write_report(out, quick=True, progress=False)
    return Path(res["files"]["html"]), res["report"]


def _need_chromium():
    assert CHROMIUM is not None, "needs Debian's chromium: `make test` installs it (apt-get install chromium)"


def test_report_renders_without_broken_images_or_links(small_report):
    _need_chromium()
    html_file, meta = small_report
    res = browser_check(html_file)
    assert res["images"] == [] and res["anchors"] == [] and res["toc"] == [] and res["missing_files"] == [], res
    # every figure decoded (9 PNGs: one per stand-in section, two for MVM), every section in the contents
    assert res["n_images"] == len([f for f in meta["figures"] if f.endswith(".png")]) == 9
    assert res["n_toc"] == 2 + 8 + 2          # conclusions, key results, 8 sections, data files, run time
    assert "report.json" in res["files"]


def test_the_browser_check_sees_breakage(small_report, tmp_path):
    """The check is not vacuous: a corrupted image, a dangling anchor and a missing file are found."""
    _need_chromium()
    html_file, _ = small_report
    broken = tmp_path / "report.html"
    text = html_file.read_text()
    text = text.replace('src="data:image/png;base64,iVBOR', 'src="data:image/png;base64,AAAA', 1)
    text = text.replace('href="#run-time"', 'href="#no-such-section"', 1)
    text = text.replace('href="report.json"', 'href="gone.json"', 1)
    broken.write_text(text)
    res = browser_check(broken)
    assert len(res["images"]) == 1 and res["anchors"] == ["#no-such-section"] and res["toc"] == ["#no-such-section"]
    assert "gone.json" in res["missing_files"]
