"""`memlab demo --quick`: the report exists with every figure, and its numbers come from this run."""
import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from memlab._table import Column, fmt_number as fmt
from memlab.analysis import _accuracy, _characterize, _report, _report_program, _report_sections, _xbar, train_digits_mlp, unlabelled_axes
from memlab.cli import main

pytestmark = pytest.mark.ngspice   # the demo overlays ngspice loops (skipped with a note without ngspice)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    # stale files from an older run must not survive into this report
    (out / "accuracy").mkdir(parents=True)
    (out / "report.html").write_text("<p>run STALE0000000</p>")
    (out / "report.json").write_text('{"run_id": "STALE0000000"}')
    (out / "accuracy" / "mvm_adc_bits_summary.csv").write_text("adc_bits,rel_error_mean\n1,123.0\n")
    problems = []

    def checked(save):
        def wrapper(fig, stem, **kw):
            problems.extend(f"{Path(stem).name}: {p}" for p in unlabelled_axes(fig))
            return save(fig, stem, **kw)
        return wrapper

    with pytest.MonkeyPatch.context() as mp:
        for mod in (_accuracy, _characterize, _report_program, _report_sections, _xbar):
            mp.setattr(mod, "save_figure", checked(mod.save_figure))
        code = main(["demo", "--out", str(out), "--quick", "--no-progress"])
    assert code == 0
    html = (out / "report.html").read_text()
    meta = json.loads((out / "report.json").read_text())
    return out, html, meta, problems


SECTIONS = ("Devices: compact models", "Devices: fitting measured loops", "Circuits: native vs ngspice",
            "Arrays: one crossbar solve", "Arrays: MVM accuracy", "Arrays: Monte Carlo sweep",
            "Arrays: programming in time", "Networks: DNN accuracy", "Accelerators: chip comparison")


def test_report_files_and_figures(demo):
    out, html, meta, _ = demo
    assert meta["figures"], "no figures listed"
    for rel in meta["figures"]:
        f = out / rel
        assert f.is_file() and f.stat().st_size > 500, rel
        assert (out / rel).with_suffix(".svg").is_file() and (out / rel).with_suffix(".png").is_file()
    # self-contained: every PNG is embedded as a data URI (its file named), every SVG linked
    assert html.count('<img src="data:image/png;base64,') == len([r for r in meta["figures"] if r.endswith(".png")])
    for rel in meta["figures"]:
        assert (f'data-file="{rel}"' if rel.endswith(".png") else f'href="{rel}"') in html, rel
    assert not re.search(r'<img src="(?!data:)', html)
    # every section ran: a failing section fails the report (no --keep-going here), so no
    # note may say a run failed, and the ngspice comparison must have produced its number
    assert not [n for n in meta["notes"] if "failed" in n], meta["notes"]
    assert meta["keep_going"] is False
    # issue 3 target for ngspice vs native on the sine loops: 1 % of max |i|
    # (tests/circuits/test_agreement.py holds the per-model checks)
    assert 0 <= meta["numbers"]["ngspice vs native: largest current deviation (of max |i|)"] < 0.01
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in html, section
        assert f'<a href="#{_report.slug(section)}">{section}</a>' in html     # in the table of contents
    for rel in meta["tables"]:
        assert (out / rel).is_file(), rel
        assert f'href="{rel}"' in html
    assert not list(out.rglob("*.tmp")) and not (out / ".runs").exists()
    # no host path in the page: neither the home folder, nor the checkout, nor the output folder
    repo = str(Path(__file__).resolve().parents[2])
    assert str(Path.home()) not in html and repo not in html and str(out.resolve()) not in html


def test_key_results_are_grouped_with_units(demo):
    _, html, meta, _ = demo
    groups = [k["group"] for k in meta["key_results"]]
    assert set(groups) <= set(_report.GROUPS) and {"Devices", "Arrays", "Networks", "Accelerators"} <= set(groups)
    assert groups == sorted(groups, key=_report.GROUPS.index)   # sections run in layer order
    for k in meta["key_results"]:
        assert "(1)" not in k["quantity"] and "(1)" not in k["display"], k
        assert f"<td>{k['display']}</td>" in html, k
    # the Stanford-PKU loop is limited by its series resistor (issue 16: it peaked at 135 mA)
    for k in meta["key_results"]:
        if k["quantity"].startswith("Stanford-PKU peak current"):
            assert k["value"] < 0.03


def test_figures_have_labelled_axes_and_legends(demo):
    assert demo[3] == []


def test_report_numbers_come_from_this_run(demo):
    out, html, meta, _ = demo
    run_id = meta["run_id"]
    assert run_id != "STALE0000000" and re.fullmatch(r"[0-9a-f]{12}", run_id)
    assert f'<code id="run-id">{run_id}</code>' in html and "STALE" not in html
    for k in meta["key_results"]:
        assert meta["numbers"][k["quantity"]] == k["value"]
        if k["unit"] == "" and isinstance(k["value"], float) and "error" in k["quantity"]:
            assert k["display"] == Column("v", style="percent").format(k["value"])
    # the report's software baseline (memlab's own forward pass over the trained weights)
    # equals scikit-learn's own score of the trained classifier (clf.score, its predict path;
    # recorded at training time): retraining here would cost ~20 s for the same number
    sk = train_digits_mlp(64, 0).sklearn_accuracy
    assert len(train_digits_mlp(64, 0).y_test) == 540
    assert meta["numbers"]["DNN software baseline accuracy"] == sk > 0.95
    # ideal crossbars compute X W up to rounding: at most one of the 540 test images may flip
    assert abs(meta["numbers"]["DNN ideal crossbars accuracy"] - sk) <= 1 / 540
    assert meta["numbers"]["DNN 1-bit ADC accuracy"] < sk - 0.2
    # the summary table was rewritten by this run (stale value 123.0 gone) and is what the report shows
    rows = list(csv.DictReader(open(out / "accuracy" / "mvm_adc_bits_summary.csv")))
    assert [int(r["adc_bits"]) for r in rows] == [1, 4, 8]
    for r in rows:
        assert f"<td>{Column('v', style='percent').format(float(r['rel_error_mean']))}</td>" in html
    # the Monte Carlo number is the median of the table written by this run
    mc = [float(r["rel_error"]) for r in csv.DictReader(open(out / "sweeps" / "mc_mvm.csv"))]
    assert meta["numbers"]["Monte Carlo MVM error, median over points"] == pytest.approx(np.median(mc), rel=1e-12)


def _stub_sections(mp, broken):
    """Every report section replaced by a one-line stand-in; ``broken`` raises a memlab error."""
    from memlab.errors import ConvergenceError

    def ok(name):
        return lambda R, *a: R.sections.append((name, "<p>stub</p>"))

    def bad(R, *a):
        raise ConvergenceError("stub solver did not converge")

    for fn in ("_devices", "_fit", "_xbar", "_mvm", "_dnn", "_monte_carlo", "_chips"):
        mp.setattr(_report, fn, bad if fn == broken else ok(fn))


def test_broken_section_fails_the_report(tmp_path, capsys):
    """Without --keep-going a failing section ends the demo with one error line and no report."""
    with pytest.MonkeyPatch.context() as mp:
        _stub_sections(mp, "_xbar")
        code = main(["demo", "--out", str(tmp_path), "--quick", "--no-progress"])
        err = capsys.readouterr().err
        assert code == 1
        assert err.count("\n") == 1 and "Arrays: one crossbar solve" in err and "ConvergenceError" in err, err
        assert not (tmp_path / "report.html").exists() and not (tmp_path / "report.json").exists()
        assert not (tmp_path / ".runs").exists()
        from memlab.errors import MemlabError
        with pytest.raises(MemlabError, match="Arrays: one crossbar solve"):
            _report.write_report(tmp_path, quick=True, progress=False)


def test_keep_going_writes_the_report_with_a_note(tmp_path, capsys):
    with pytest.MonkeyPatch.context() as mp:
        _stub_sections(mp, "_mvm")
        assert main(["demo", "--out", str(tmp_path), "--quick", "--no-progress", "--keep-going"]) == 0
    meta = json.loads((tmp_path / "report.json").read_text())
    assert meta["keep_going"] is True
    assert [n.rsplit(":", 2)[0] for n in meta["notes"]] == ["Arrays: MVM accuracy"]
    assert "stub solver did not converge" in capsys.readouterr().out
    html = (tmp_path / "report.html").read_text()
    assert '<section id="arrays-mvm-accuracy"><h2>Arrays: MVM accuracy</h2><p class="note">' in html
    assert html.count("<p>stub</p>") == 6       # the other six sections are there


def test_failed_model_run_fails_the_devices_section(tmp_path):
    """A model whose native run fails is a note of characterize_models; without keep_going the
    report turns it into an error of the device section."""
    from memlab.errors import MemlabError

    def notes_only(out_dir, **kw):
        return {"rows": [], "figures": {}, "residuals": None, "traces": {}, "notes": ["hp: native simulation failed: stub"]}

    with pytest.MonkeyPatch.context() as mp:
        for fn in ("_fit", "_xbar", "_mvm", "_dnn", "_monte_carlo", "_chips"):
            mp.setattr(_report, fn, lambda R, *a: None)
        mp.setattr(_characterize, "characterize_models", notes_only)
        with pytest.raises(MemlabError, match="Devices: compact models.*hp: native simulation failed"):
            _report.write_report(tmp_path, quick=True, progress=False)
        res = _report.write_report(tmp_path, quick=True, progress=False, keep_going=True)
    assert res["report"]["notes"] == ["hp: native simulation failed: stub"]


def test_fmt():
    assert fmt(0.97777) == "0.9778" and fmt(1.5e-7) == "1.500e-07" and fmt(3) == "3" and fmt(None) == "\u2013"
    assert fmt(float("nan")) == "\u2013"
