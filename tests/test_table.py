"""memlab._table, the one table formatter: exact Markdown/HTML/CSV text for hand-written rows
(expected strings written by hand), SI formatting, and CSV/Parquet round trips."""
import math

import numpy as np
import pytest

from memlab._table import Column, fmt_number, fmt_si, read_table, to_csv, to_html, to_markdown, write_table
from memlab.errors import ParameterError

ROWS = [{"chip": "A", "latency_s": 0.0123, "energy_J": 1.5e-9, "util": 0.123, "n": 3},
        {"chip": "B<1>", "latency_s": 2500.0, "energy_J": float("nan"), "util": 1.0, "n": None}]


def test_si_and_number_formats():
    assert fmt_si(1.5e-9, "J") == "1.5 nJ" and fmt_si(0.0123, "s") == "12.3 ms" and fmt_si(2500, "W") == "2.5 kW"
    assert fmt_si(0, "V") == "0 V" and fmt_si(float("inf")) == "inf" and fmt_si(None) == "\u2013"
    assert fmt_si(np.float64(-3e-13), "A") == "-300 fA"   # 3e-13 = 300e-15
    assert fmt_number(0.97777) == "0.9778" and fmt_number(1.5e-7) == "1.500e-07" and fmt_number(np.int64(3)) == "3"
    assert fmt_number(True) == "True" and fmt_number(float("nan")) == "\u2013" and fmt_number("x") == "x"


def test_markdown_exact():
    cols = [Column("chip"), Column("latency_s", "latency", "s", "si"), Column("energy_J", "energy", "J", "si"),
            Column("util", "utilisation", style="percent"), Column("n", "count")]
    assert to_markdown(ROWS, cols) == (
        "| chip | latency | energy | utilisation | count |\n"
        "|---|---|---|---|---|\n"
        "| A | 12.3 ms | 1.5 nJ | 12.3 % | 3 |\n"
        "| B<1> | 2.5 ks | \u2013 | 100.0 % | \u2013 |\n")


def test_html_exact_and_escaped():
    assert to_html(ROWS[1:], [Column("chip", "name & id"), ("latency_s", "latency (s)")]) == (
        "<table><thead><tr><th>name &amp; id</th><th>latency (s)</th></tr></thead>"
        "<tbody><tr><td>B&lt;1&gt;</td><td>2500</td></tr></tbody></table>")
    assert to_html([]) == "<p><em>(no rows)</em></p>"


def test_csv_keeps_raw_values_and_round_trips(tmp_path):
    text = to_csv(ROWS)
    assert text.splitlines()[0] == "chip,latency_s,energy_J,util,n"
    assert text.splitlines()[1] == "A,0.0123,1.5e-09,0.123,3"
    assert to_csv([{"x": np.float64(0.1)}]) == "x\n0.1\n"        # no numpy repr wrapper in the file
    assert to_csv([]) == ""
    back = read_table(write_table(ROWS, tmp_path / "t.csv"))
    assert back[0] == ROWS[0] and back[1]["n"] is None and math.isnan(back[1]["energy_J"])


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    rows = [{"a": 1, "b": 0.1}, {"a": 2, "b": None}]
    assert read_table(write_table(rows, tmp_path / "t.parquet")) == rows


def test_bad_style_names_itself():
    with pytest.raises(ParameterError, match="style"):
        Column("x", style="fancy")
