"""Loaders for measured loops: Knowm two-column files, generic CSV, arrays; malformed input."""

import numpy as np
import pytest

from memlab.devices import (Measurement, Sine, PWL, load_knowm, load_knowm_set, load_loop, load_loop_csv)
from memlab.errors import DataFormatError, ParameterError

M1_10 = "5kohm_0.8V_10Hz_M1__Memristor.csv"   # inside the knowm_data folder (tests/conftest.py)


def test_knowm_file_reads_both_traces_consistently(knowm_data):
    path = knowm_data / M1_10
    m = load_knowm(path)
    assert m.n_points == 200 and m.frequency == 10.0 and m.r_series == 5000.0
    assert m.meta["device"] == "M1" and m.meta["amplitude_nominal"] == 0.8
    # the README: v_source = v + R i, current given in microamperes
    raw = np.loadtxt(path, delimiter=",")
    np.testing.assert_allclose(m.i, raw[:, 1] * 1e-6, rtol=0, atol=0)
    np.testing.assert_allclose(m.v, raw[:, 0], rtol=0, atol=0)
    tot = np.loadtxt(str(path).replace("__Memristor", "__Resistor_plus_Memristor"), delimiter=",")
    np.testing.assert_allclose(m.v_source, tot[:, 0], atol=1e-12)   # derived = file, up to rounding
    # reading the sibling file gives the same loop
    m2 = load_knowm(str(path).replace("__Memristor", "__Resistor_plus_Memristor"))
    np.testing.assert_allclose(m2.v, m.v, atol=1e-12)
    np.testing.assert_allclose(m2.i, m.i, atol=0)
    # one period, evenly spaced; the source is the 0.8 V sine within the board's 0.2 % gain
    np.testing.assert_allclose(np.diff(m.t), 1 / (200 * 10.0), rtol=1e-12)
    assert abs(m.amplitude - 0.8) < 0.8 * 0.002
    assert m.sine["residual"] < 1e-3        # sine fit residual: source samples are a clean sine
    d = m.drive(periods=3, points_per_period=200)
    assert isinstance(d, Sine) and d.r_series == 5000.0
    np.testing.assert_allclose(d.value(m.t), m.v_source, atol=5 * m.sine["residual"] * m.amplitude)


def test_knowm_set_selects_and_sorts(knowm_data):
    ms = load_knowm_set(knowm_data, device="M1", amplitude=0.8, frequency=[1, 10, 100])
    assert [m.frequency for m in ms] == [1.0, 10.0, 100.0]
    assert all(m.meta["device"] == "M1" for m in ms)
    assert len(load_knowm_set(knowm_data, amplitude=0.8, frequency=10)) == 3      # M1, M2, M3
    with pytest.raises(DataFormatError, match="no Knowm loop files match"):
        load_knowm_set(knowm_data, device="M9")


def _write_knowm(tmp_path, rows, name="5kohm_0.8V_10Hz_MX__Memristor.csv"):
    p = tmp_path / name
    p.write_text("\n".join(rows) + "\n")
    return p


def _good_rows(n=20):
    ph = 2 * np.pi * np.arange(n) / n
    i_ua = 50 * np.sin(ph)
    v = 0.8 * np.sin(ph) - 5e3 * i_ua * 1e-6
    return [f"{a:.17g},{b:.17g}" for a, b in zip(v, i_ua)]


@pytest.mark.parametrize("bad, line, what", [
    ("0.1,2.0,3.0", 3, "expected 2 columns"),
    ("0.1;abc", 3, "expected 2 numbers"),
    ("0.1,nan", 3, "non-finite"),
    ("0.1", 3, "expected 2 columns"),
])
def test_knowm_malformed_line_names_file_and_line(tmp_path, bad, line, what):
    rows = _good_rows()
    rows[2] = bad
    p = _write_knowm(tmp_path, rows)
    with pytest.raises(DataFormatError) as e:
        load_knowm(p)
    msg = str(e.value)
    assert f"{p}:{line}:" in msg and what in msg


def test_knowm_too_short_bad_name_and_inconsistent_sibling(tmp_path):
    p = _write_knowm(tmp_path, _good_rows()[:5])
    with pytest.raises(DataFormatError, match="5 data lines found"):
        load_knowm(p)
    q = tmp_path / "loop.csv"
    q.write_text("\n".join(_good_rows()) + "\n")
    with pytest.raises(DataFormatError, match=r"loop\.csv: file name does not follow"):
        load_knowm(q)
    m = load_knowm(q, r_series=5e3, frequency=10.0)          # explicit overrides accepted
    assert m.r_series == 5e3 and m.frequency == 10.0
    # sibling whose voltage disagrees with v + R i on line 4 (blank line 1 shifts numbering)
    rows = _good_rows()
    p = _write_knowm(tmp_path, rows, "5kohm_0.8V_10Hz_MY__Memristor.csv")
    tot = []
    for r in rows:
        v, i = map(float, r.split(","))
        tot.append(f"{v + 5e3 * i * 1e-6:.17g},{i:.17g}")
    tot[2] = "9.0," + tot[2].split(",")[1]
    sib = tmp_path / "5kohm_0.8V_10Hz_MY__Resistor_plus_Memristor.csv"
    sib.write_text("\n" + "\n".join(tot) + "\n")
    with pytest.raises(DataFormatError) as e:
        load_knowm(p)
    assert f"{sib}:4:" in str(e.value) and "inconsistent" in str(e.value)


def test_generic_csv_with_units_header(tmp_path):
    f, n = 50.0, 64
    t = np.arange(n) / (n * f)
    vs = 0.5 * np.sin(2 * np.pi * f * t + 0.3)
    i = vs / 10e3
    p = tmp_path / "loop.csv"
    lines = ["# my loop", "time[ms], v_source[V], i[uA]"] + [f"{a * 1e3:.17g}, {b:.17g}, {c * 1e6:.17g}"
                                                            for a, b, c in zip(t, vs, i)]
    p.write_text("\n".join(lines) + "\n")
    m = load_loop_csv(p, r_series=1e3)
    assert m.frequency == pytest.approx(f, rel=1e-9)      # one period of evenly spaced samples
    np.testing.assert_allclose(m.i, i, rtol=1e-12)
    np.testing.assert_allclose(m.v, vs - 1e3 * i, atol=1e-15)
    assert m.sine["amplitude"] == pytest.approx(0.5, rel=1e-9) and m.sine["phase"] == pytest.approx(0.3, abs=1e-9)
    assert load_loop(p, r_series=1e3).n_points == n       # dispatch: not a Knowm name -> generic CSV
    # phase column (degrees) with a device voltage; frequency required
    q = tmp_path / "phase.txt"
    q.write_text("\n".join(["phase[deg]\tv[mV]\ti[nA]"] + [f"{360 * k / n}\t{1e3 * vs[k]}\t{1e9 * i[k]}"
                                                            for k in range(n)]) + "\n")
    with pytest.raises(DataFormatError, match="needs frequency"):
        load_loop_csv(q)
    m2 = load_loop_csv(q, frequency=f)
    np.testing.assert_allclose(m2.t, t, atol=1e-15)
    np.testing.assert_allclose(m2.v, vs, atol=1e-12)
    # no header: columns= gives the layout
    r = tmp_path / "plain.csv"
    r.write_text("\n".join(f"{a:.17g},{b:.17g},{c:.17g}" for a, b, c in zip(t, vs, i)) + "\n")
    m3 = load_loop_csv(r, columns="t[s],v_source[V],i[A]")
    np.testing.assert_allclose(m3.i, i)


def test_generic_csv_errors_name_file_and_line(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("time[s],v_source[V],i[furlong]\n" + "\n".join(f"{k},0.1,1e-6" for k in range(10)) + "\n")
    with pytest.raises(DataFormatError) as e:
        load_loop_csv(p)
    assert f"{p}:1:" in str(e.value) and "furlong" in str(e.value)
    q = tmp_path / "back.csv"
    q.write_text("time[s],v[V],i[A]\n" + "\n".join(f"{k if k != 6 else 2},0.1,1e-6" for k in range(10)) + "\n")
    with pytest.raises(DataFormatError, match=rf"{q}:8: time does not increase"):
        load_loop_csv(q)
    r = tmp_path / "ragged.csv"
    r.write_text("\n".join(f"{k},0.1,1e-6" for k in range(10)) + "\n5,0.1\n")
    with pytest.raises(DataFormatError, match=rf"{r}:11: expected 3 columns"):
        load_loop_csv(r)


def test_measurement_from_arrays_validates_and_builds_pwl_for_non_sine():
    n, f = 40, 5.0
    t = np.arange(n) / (n * f)
    sq = np.where(np.arange(n) < n // 2, 0.6, -0.6)          # square source: not a sine
    m = Measurement.from_arrays(t=t, v_source=sq, i=sq / 2e4, frequency=f, r_series=1e4)
    d = m.drive(periods=2, points_per_period=80)
    assert isinstance(d, PWL) and d.periodic and d.r_series == 1e4
    np.testing.assert_allclose(d.value(m.t), sq, atol=1e-12)
    dd = m.drive(circuit="device", polarity=-1)
    assert dd.r_series == 0.0
    np.testing.assert_allclose(dd.value(m.t), -m.v, atol=1e-12)
    with pytest.raises(ParameterError, match="same length"):
        Measurement.from_arrays(t=t, v_source=sq[:-1], i=sq / 2e4, frequency=f)
    with pytest.raises(ParameterError, match="'frequency' = -1"):
        Measurement.from_arrays(t=t, v_source=sq, i=sq, frequency=-1)
    with pytest.raises(ParameterError, match="zero everywhere"):
        Measurement.from_arrays(t=t, v_source=sq, i=0 * sq, frequency=f)
    with pytest.raises(ParameterError, match="'circuit'"):
        m.drive(circuit="parallel")


def test_knowm_data_dir_from_argument_or_environment(knowm_data, tmp_path, monkeypatch):
    from memlab.devices import knowm_data_dir
    from memlab.errors import ConfigError
    assert knowm_data_dir(knowm_data) == knowm_data                  # the CSV folder itself
    assert knowm_data_dir(knowm_data.parent) == knowm_data           # a folder containing knowm_wsdc_5kohm/
    monkeypatch.setenv("MEMLAB_DATA", str(knowm_data.parent))
    assert knowm_data_dir() == knowm_data
    monkeypatch.delenv("MEMLAB_DATA")
    with pytest.raises(ConfigError, match="MEMLAB_DATA"):
        knowm_data_dir()
    with pytest.raises(ParameterError, match="parameter 'data'"):
        knowm_data_dir(tmp_path)


# ------------------------------------------------------------------------- issue 13
def _sine_csv(path, n_period=200, f=10.0, closed=True, phase=0.0):
    """A 0.8 V sine source and a linear 10 kohm device through 5 kohm, sampled n_period
    times per period; ``closed`` adds the end sample t = T (= the first sample again)."""
    T = 1.0 / f
    k = np.arange(n_period + (1 if closed else 0))
    t = k * T / n_period
    v = 0.8 * np.sin(2 * np.pi * f * t + phase)
    i = v / 15e3
    path.write_text("time[s],v_source[V],i[A]\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in zip(t.tolist(), v.tolist(), i.tolist())))
    return path


@pytest.mark.parametrize("phase", [0.0, np.pi / 2, 1.0])
def test_csv_whose_period_includes_the_end_sample_reads_10_hz(tmp_path, phase):
    # 201 samples from t = 0 to t = T inclusive: n dt = 0.1005 s would be 9.950 Hz (the bug);
    # the period is (n - 1) dt = 0.1 s by construction, and the repeated sample is dropped
    m = load_loop_csv(_sine_csv(tmp_path / "c.csv", phase=phase), r_series=5e3)
    assert m.frequency == pytest.approx(10.0, rel=1e-12) and m.n_points == 200
    assert m.meta["end_sample_dropped"]
    # 200 samples without the end sample (also when the sine starts at its peak, where the
    # last and first samples differ by only 2e-4 of the amplitude): n dt = 0.1 s, nothing dropped
    m2 = load_loop_csv(_sine_csv(tmp_path / "o.csv", closed=False, phase=phase), r_series=5e3)
    assert m2.frequency == pytest.approx(10.0, rel=1e-12) and m2.n_points == 200
    assert not m2.meta["end_sample_dropped"]


def test_csv_without_series_resistor_warns(tmp_path):
    from memlab.errors import MemlabWarning
    with pytest.warns(MemlabWarning, match="no series resistor given"):
        m = load_loop_csv(_sine_csv(tmp_path / "c.csv"))
    assert m.r_series == 0.0 and m.meta["r_series_given"] is False


def test_load_loops_reads_a_knowm_pair_once_and_keys_by_full_identity(knowm_data, tmp_path):
    from memlab.devices import load_loops
    both = sorted(knowm_data.glob("5kohm_0.8V_10Hz_M1__*.csv"))
    assert len(both) == 2                      # __Memristor and __Resistor_plus_Memristor
    ms = load_loops(both)
    assert len(ms) == 1 and ms[0].path.endswith("__Memristor.csv") and ms[0].meta["sibling"] == both[1].name
    folder = load_loops(knowm_data)            # a folder: 30 files = 15 loops
    assert len(folder) == 15 and len({m.key for m in folder}) == 15
    # a loop at the same device, amplitude and frequency through 47 kohm has another key
    import shutil
    shutil.copy(both[0], tmp_path / "47kohm_0.8V_10Hz_M1__Memristor.csv")
    m47 = load_loops(tmp_path)[0]
    assert m47.key != ms[0].key and "47000 ohm" in m47.key and "5000 ohm" in ms[0].key
    assert ms[0].identity == {"device": "M1", "amplitude_V": 0.8, "frequency_Hz": 10.0, "r_series_ohm": 5000.0,
                              "file": "5kohm_0.8V_10Hz_M1__Memristor.csv"}
