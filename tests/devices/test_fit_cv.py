"""Leave-one-loop-out cross-validation in compare_models (issue 13: model selection by
prediction). Synthetic loops of a known MSS device (1 % noise) at three frequencies: the
true model family must predict each left-out loop at the noise floor, the memoryless
resistor must not, and the selection by cross-validation must pick the true family."""

import os
import sys

import numpy as np
import pytest

from memlab.devices import KnowmMSS, compare_models
from memlab.errors import ParameterError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # --import-mode=importlib
from test_fit import synth  # noqa: E402


@pytest.fixture(scope="module")
def loops():
    return synth(KnowmMSS(R_on=2.35e3, R_off=12e3), [1.0, 10.0, 100.0])


def test_leave_one_loop_out_predicts_at_the_noise_floor(loops):
    budget = dict(n_starts=8, generations=4, n_local=1, use_model_values=False, progress=False)
    cmp = compare_models({"MSS": KnowmMSS()}, loops, fit_kwargs=budget, cross_validate=True)
    print("\n" + cmp.table())
    cv = cmp.cv["MSS"]
    assert cv.shape == (3,)
    # each left-out loop predicted at the 1 % noise floor of synth() (20 % margin for the
    # small search budget); the resistor, which has no memory, cannot predict a pinched loop
    assert np.all(cv < 0.012), cv
    assert np.all(cmp.cv["fixed resistor"] > 0.1), cmp.cv["fixed resistor"]
    assert cmp.best(by="cv") == "MSS" and cmp.best() == "MSS"      # auto: cv when it was run
    assert "cv rms" in cmp.table()


def test_cross_validation_needs_two_loops(loops):
    with pytest.raises(ParameterError, match="cross_validate=True needs at least 2 loops"):
        compare_models({"MSS": KnowmMSS()}, loops[:1], cross_validate=True)
    cmp = compare_models({"MSS": KnowmMSS()}, loops[:1], fit_kwargs=dict(n_starts=4, generations=1, progress=False))
    with pytest.raises(ParameterError, match="by='cv' needs"):
        cmp.best(by="cv")
