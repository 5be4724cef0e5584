"""The PIM model's predictions against published figures it was not calibrated on."""
import pytest

from memlab.accel._pim_validation import pim_validation


@pytest.fixture(scope="module")
def rows():
    return {r["case"]: r for r in pim_validation()}


def test_isaac_ce_pe_predicted_from_table_i(rows):
    # Table IV's CE and PE follow from the paper's 100 ns read cycle (1.28 GS/s); the preset uses
    # Table I's ADC rate (1.2 GS/s) for timing and energy, so the prediction is low by
    # 1 - 1.2/1.28 = 6.25 %. Tolerance: CE is printed to 5 digits (1 %); PE also carries the
    # area/power rounding of Table I's sums, which isaac_rebuild reproduces to 1 % (2 %).
    assert rows["ISAAC CE"]["error"] == pytest.approx(1.2 / 1.28 - 1, abs=0.01)
    assert rows["ISAAC PE"]["error"] == pytest.approx(1.2 / 1.28 - 1, abs=0.02)


def test_xue_isscc19_macro_is_bounded_from_above(rows):
    # Xue et al. ISSCC 2019 (measured 53.17 / 21.9 TOPS/W): the model holds the array read, one
    # 1-bit DAC drive per word line and input bit (ISAAC's 32 nm figure) and a best-in-class
    # 4-bit conversion (survey fit) per column; the macro also pays current mirrors, reference
    # currents of its 3-phase sense amplifier and 55 nm drivers, which the model has not. So
    # the prediction must be optimistic (a bound), and the printed errors say by how much
    # (measured: +238 % binary, +386 % multibit). The bound is the falsifiable claim asserted;
    # the factor is not a tolerance taken from a source, so it is only printed
    # (benchmarks/bench_pim.py).
    for case in ("Xue ISSCC'19 binary", "Xue ISSCC'19 multibit"):
        assert rows[case]["predicted"] > rows[case]["published"]
    # two input bits take two word-line pulses (array and DAC energy double, the conversion
    # does not): the model's efficiency falls by less than 2x, the silicon's by 2.43x
    b, m = rows["Xue ISSCC'19 binary"], rows["Xue ISSCC'19 multibit"]
    assert 1.0 < b["predicted"] / m["predicted"] < 2.0
    assert b["published"] / m["published"] == pytest.approx(53.17 / 21.9, rel=1e-12)
