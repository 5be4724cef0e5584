"""Speed of the reliability and noise functions of memlab.devices (issue 14, items 3, 5, 8).

Prints one table: relaxation of 1,000,000 conductances, RTN and 1/f time series of
10,000 devices x 1,000 samples, a spectral one-shot read of 1,000,000 cells and an
endurance window over 1,000,000 devices. No targets in the issue for these; the numbers
show they are vectorised (no Python loop over devices).
"""
from __future__ import annotations

import os

import numpy as np

from _timing import best_of
from memlab._table import to_text
from memlab.devices import (FlickerNoise, TelegraphNoise, telegraph, flicker, read_noise, relax, Endurance,
                            endurance_window)


def main():
    g = np.random.default_rng(0).uniform(1e-6, 40e-6, 1_000_000)
    g10k = g[:10_000]
    cases = [
        ("relax 1e6 cells, cmo_hfox, 1 day", lambda: relax(g, 86400.0, "cmo_hfox", seed=1)),
        ("relax 1e6 cells, wan2022, 1 h (interpolated)", lambda: relax(g, 3600.0, "wan2022", seed=1)),
        ("telegraph 1e4 devices x 1e3 samples", lambda: telegraph(TelegraphNoise(), g10k, 1000, 1e4, seed=1)),
        ("flicker 1e4 devices x 1e3 samples", lambda: flicker(FlickerNoise(), g10k, 1000, 1e4, seed=1)),
        ("read_noise 1e6 cells, 1/f + RTN band sigma",
         lambda: read_noise(g, (FlickerNoise(), TelegraphNoise()), bandwidth=1e6, duration=1.0, seed=1)),
        ("endurance_window 1e6 devices, sigma_n = 0.5",
         lambda: endurance_window(1 / g, 10 / g, 1e6, Endurance(sigma_n=0.5), seed=1)),
    ]
    rows = [{"case": name, "wall s": best_of(fn, 3)[0]} for name, fn in cases]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings under load are pessimistic)")
    print(to_text(rows))


if __name__ == "__main__":
    main()
