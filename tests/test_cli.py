"""The memlab command line: every subcommand end to end on small sizes; bad arguments give
one readable line, a non-zero exit status and no traceback."""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memlab.cli import build_parser, main

MEMLAB = Path(sys.executable).with_name("memlab")


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("cmd", ["iv", "fit", "xbar", "accuracy", "compare", "sweep", "demo"])
def test_every_subcommand_has_help(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main([cmd, "--help"])
    assert e.value.code == 0
    assert f"usage: memlab {cmd}" in capsys.readouterr().out


def test_iv(tmp_path, capsys):
    code, out, err = run(["iv", "hp", "--periods", "1", "--out", str(tmp_path / "hp.png")], capsys)
    assert code == 0, err
    assert "pinch ratio" in out
    assert (tmp_path / "hp.png").stat().st_size > 0 and (tmp_path / "hp.svg").stat().st_size > 0


@pytest.mark.ngspice
def test_iv_with_ngspice_overlay(tmp_path, capsys):
    code, out, err = run(["iv", "mss", "--spice", "--out", str(tmp_path / "mss.png")], capsys)
    assert code == 0, err
    assert "Knowm MSS (ngspice)" in out
    dev = float(out.split("max current deviation")[1].split("%")[0])
    assert dev < 1.0            # native ROS2 vs ngspice on the same drive: well under 1 % of max |i|
    assert (tmp_path / "mss.svg").exists()


def test_xbar(tmp_path, capsys):
    code, out, err = run(["xbar", "--rows", "8", "--cols", "6", "--r-wire", "2", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "MVM relative error" in out and "power" in out
    assert (tmp_path / "xbar_heatmaps.png").exists() and (tmp_path / "xbar_heatmaps.svg").exists()
    code, out, err = run(["xbar", "--rows", "4", "--cols", "4", "--model", "vteam", "--out", str(tmp_path)], capsys)
    assert code == 0, err


def test_accuracy(tmp_path, capsys):
    code, out, err = run(["accuracy", "--vary", "adc_bits", "--values", "2,8", "--set", "rows=8", "--set", "cols=8",
                          "--repeats", "1", "--no-progress", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(open(tmp_path / "mvm_adc_bits.csv")))
    assert [int(r["adc_bits"]) for r in rows] == [2, 8]
    assert float(rows[0]["rel_error"]) > float(rows[1]["rel_error"])
    assert (tmp_path / "mvm_adc_bits.svg").exists()


def test_accuracy_dnn(tmp_path, capsys):
    code, out, err = run(["accuracy", "--study", "dnn", "--vary", "adc_bits", "--values", "1,8", "--repeats", "1",
                          "--no-progress", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    rows = {int(r["adc_bits"]): r for r in csv.DictReader(open(tmp_path / "dnn_adc_bits.csv"))}
    base = float(rows[8]["baseline"])
    assert base > 0.95 and float(rows[1]["accuracy"]) < base - 0.2 <= float(rows[8]["accuracy"])
    assert "software baseline accuracy" in out


def test_compare(tmp_path, capsys):
    code, out, err = run(["compare", "lenet5", "--chips", "V100,ISAAC", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "ISAAC" in out and (tmp_path / "lenet5_compare.csv").exists()


def test_sweep_and_resume(tmp_path, capsys):
    cfg = tmp_path / "s.yaml"
    cfg.write_text("study: mvm_error\nseed: 2\nfixed: {rows: 6, cols: 5, r_wire: 1.0, n_inputs: 3}\n"
                   "grid: {adc_bits: [0, 3, 6]}\nrepeats: 2\n")
    out = tmp_path / "res.csv"
    code, o, err = run(["sweep", str(cfg), "--out", str(out), "--workers", "0", "--stop-after", "2",
                        "--no-progress"], capsys)
    assert code == 0 and "stopped before the end" in o and not out.exists()
    code, o, err = run(["sweep", str(cfg), "--out", str(out), "--workers", "0", "--no-progress"], capsys)
    assert code == 0, err
    assert "4 computed locally, 2 reused" in o
    assert len(list(csv.DictReader(open(out)))) == 6


def test_fit(tmp_path, capsys, knowm_data):
    f = sorted(knowm_data.glob("*0.8V_100Hz_M1__Memristor.csv"))[0]
    code, out, err = run(["fit", "mss", str(f), "--out", str(tmp_path / "fit.png")], capsys)
    assert code == 0, err
    assert "R_off" in out and "normalised RMS error" in out
    assert (tmp_path / "fit.png").exists() and (tmp_path / "fit.svg").exists()


@pytest.mark.parametrize("args,needle", [
    (["iv", "nosuchmodel"], "unknown model"),
    (["xbar", "--rows", "-3"], "--rows"),
    (["xbar", "--r-wire", "-1"], "--r-wire"),
    (["fit", "mss", "/no/such/file.csv"], "does not exist"),
    (["iv", "hp", "--param", "R_on=-5"], "R_on"),
    (["accuracy", "--vary", "colour"], "vary"),
    (["accuracy", "--vary", "adc_bits", "--values", "a,b"], "must be numbers"),
    (["accuracy", "--vary", "adc_bits", "--values=-1,-2", "--set", "rows=4", "--no-progress"], "adc_bits"),
    (["compare", "no_such_workload"], "no_such_workload"),
    (["bogus"], "invalid choice"),
    ([], "required"),
])
def test_bad_arguments_one_line(args, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)            # default output folders land in the temporary folder
    code, out, err = run(args, capsys)
    assert code != 0
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert needle in lines[0] and "Traceback" not in err


def test_malformed_and_missing_yaml(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("study: mvm_error\ngrid: {adc_bits: [1, 2\n")
    code, out, err = run(["sweep", str(bad)], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "not valid YAML at line" in err
    code, out, err = run(["sweep", str(tmp_path / "none.yaml")], capsys)
    assert code == 1 and "does not exist" in err and len(err.strip().splitlines()) == 1
    bad.write_text("study: mvm_error\ngrid: {adc_bits: [1]}\nfixed: {rows: -4}\nworkers: 0\n")
    code, out, err = run(["sweep", str(bad), "--no-progress", "--out", str(tmp_path / "r.csv")], capsys)
    assert code == 1 and "rows" in (out + err)          # the point fails with a named parameter


def test_installed_entry_point_errors_without_traceback():
    # the real console script, as a user runs it
    assert MEMLAB.exists()
    p = subprocess.run([str(MEMLAB), "xbar", "--rows", "-3"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = subprocess.run([str(MEMLAB), "iv", "nosuchmodel"], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 1 and "Traceback" not in p.stderr and "unknown model" in p.stderr


def test_parser_builds_without_heavy_imports():
    # `memlab --help` must not import the numerical layers
    code = ("import sys; from memlab.cli import build_parser; build_parser(); "
            "print(any(m.startswith(('memlab.arrays', 'sklearn', 'distributed')) for m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "False"
    assert build_parser().prog == "memlab"


def test_nothing_imports_the_cli():
    # the CLI is the top of the layering: no module of the library imports memlab.cli
    import ast
    root = Path(__file__).resolve().parents[1]
    bad = []
    for folder in ("memlab", "devices", "circuits", "arrays", "accel", "analysis"):
        for f in (root / folder).rglob("*.py"):
            if folder == "memlab" and f.relative_to(root / "memlab").parts[0] == "cli":
                continue
            for node in ast.walk(ast.parse(f.read_text())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                bad += [f"{f.relative_to(root)}: {n}" for n in names if n == "memlab.cli" or n.startswith("memlab.cli.")]
    assert bad == []
