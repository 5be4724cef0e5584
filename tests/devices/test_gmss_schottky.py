"""Generalized MSS (Molter & Nugent 2016) current against the Knowm Xyce device's
I_V(): PHI * V * (X/RON + (1-X)/ROFF) + (1 - PHI) * (SFA exp(SFB V) - SRA exp(-SRB V));
and the threshold model's source (Pershin, La Fontaine & Di Ventra, PRE 80, 021926)."""
import numpy as np
import pytest

from memlab.devices import KnowmMSS, ThresholdMemristor


def xyce_i_v(V, X, RON, ROFF, PHI, SFA, SFB, SRA, SRB):
    return PHI * V * (X / RON + (1 - X) / ROFF) + (1 - PHI) * (SRA * -np.exp(-SRB * V) + SFA * np.exp(SFB * V))


def test_generalized_mss_current():
    kw = dict(phi=0.7, a_f=1e-7, b_f=9.0, a_r=2e-8, b_r=4.0)
    m = KnowmMSS(schottky=True, **kw)
    V, X = np.meshgrid(np.linspace(-0.6, 0.6, 13), np.linspace(0, 1, 5))
    ref = xyce_i_v(V, X, 500.0, 1500.0, 0.7, 1e-7, 9.0, 2e-8, 4.0)   # Knowm knowm.cir Ron, Roff (the defaults)
    np.testing.assert_allclose(m.current(V, X), ref, rtol=1e-13, atol=1e-22)
    # the state equation is the MSS one, unchanged by the diode path
    np.testing.assert_allclose(m.rate(V, X), KnowmMSS().rate(V, X), rtol=1e-14)
    # source defaults (phi = 1): exactly the MSS current
    np.testing.assert_allclose(KnowmMSS(schottky=True).current(V, X), KnowmMSS().current(V, X), rtol=0, atol=0)


def test_threshold_model_cites_its_source():
    assert "021926" in ThresholdMemristor.reference and "La Fontaine" in ThresholdMemristor.reference
