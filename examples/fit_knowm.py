"""Fit compact models to the Knowm W-SDC loops and judge them by prediction.

Fits the Knowm mean metastable switch (MSS), Yakopcic and VTEAM (exponential I-V)
models to device M1 at 0.8 V, 10 Hz (sine source through the 5 kOhm series resistor, as
measured), predicts the 1 Hz and 100 Hz loops without refitting, fits 1/10/100 Hz
jointly, and reports M2 and M3. Prints Markdown tables and writes overlay plots.

Run:  python examples/fit_knowm.py [--data DIR] [--out DIR] [--quick]   (or set MEMLAB_DATA)

The global search here uses more members and generations than the tests
(tests/devices/test_fit.py), which use smaller budgets to stay fast.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path


from memlab.devices import (KnowmMSS, VTEAM, Yakopcic, compare_models, evaluate, fit, fit_resistor, knowm_data_dir,
                            load_knowm_set)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None, help="folder of the Knowm CSV files (or one containing "
                    "knowm_wsdc_5kohm/); default: $MEMLAB_DATA")
    ap.add_argument("--out", default="fit_knowm_out", help="folder for the plots")
    ap.add_argument("--quick", action="store_true", help="test-sized search budgets")
    args = ap.parse_args(argv)
    data = knowm_data_dir(args.data)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib
    matplotlib.use("Agg")

    big = not args.quick
    budgets = {"MSS": dict(n_starts=64 if big else 32, generations=30 if big else 15, n_local=2 if big else 1),
               "Yakopcic": dict(n_starts=96 if big else 32, generations=40 if big else 15, n_local=3 if big else 1),
               "VTEAM exp": dict(n_starts=64 if big else 48, generations=40 if big else 25, n_local=3 if big else 2)}
    models = {"MSS": KnowmMSS(), "Yakopcic": Yakopcic(), "VTEAM exp": VTEAM(iv="exponential")}

    m1 = {m.frequency: m for m in load_knowm_set(data, device="M1", amplitude=0.8, frequency=[1, 10, 100])}
    t0 = time.perf_counter()
    cmp = compare_models(models, [m1[10.0]], validate=[m1[1.0], m1[100.0]], fit_kwargs={"use_model_values": False},
                  per_model=budgets)
    print(f"## M1, 0.8 V: fitted at 10 Hz, predicted at 1 and 100 Hz ({time.perf_counter() - t0:.0f} s)\n")
    print("normalised RMS current error RMS(I_model - I_meas)/max|I_meas|; k = free parameters\n")
    print(cmp.table())
    cmp.plot(out / "m1_10Hz_overlay.png")
    best = cmp.best()
    print(f"best by BIC: {best}\n")
    for name, r in cmp.results.items():
        if hasattr(r, "summary"):
            print(r.summary(), "\n")

    # joint fit of 1, 10 and 100 Hz, each model
    loops = [m1[1.0], m1[10.0], m1[100.0]]
    joint = compare_models(models, loops, fit_kwargs={"use_model_values": False}, per_model=budgets)
    print("## M1, 0.8 V: fitted jointly at 1, 10 and 100 Hz\n")
    print(joint.table())
    joint.plot(out / "m1_joint_overlay.png")

    # the lesson of docs/notes/fitting.md: fitting to the derived device voltage
    dev = fit(KnowmMSS(), [m1[10.0]], circuit="device", use_model_values=False, **budgets["MSS"])
    e_dev = dev.evaluate(loops)
    e_ser = evaluate(dev.model, loops, settings=dev.settings, polarity=dev.polarity, circuit="series")
    print("## MSS fitted to the derived device voltage (circuit='device') at 10 Hz\n")
    print("| evaluated with | 1 Hz | 10 Hz | 100 Hz |\n|---|---|---|---|")
    print("| derived device voltage | " + " | ".join(f"{e:.4f}" for e in e_dev) + " |")
    print("| sine + 5 kOhm (as measured) | " + " | ".join(f"{e:.4f}" for e in e_ser) + " |\n")

    # other devices with the MSS model
    print("## M2, M3 (MSS): fitted at 10 Hz, predicted at 1 and 100 Hz\n")
    print("| device | fit 10 Hz | pred 1 Hz | pred 100 Hz | resistor 10 Hz |\n|---|---|---|---|---|")
    for dev in ("M2", "M3"):
        ms = {m.frequency: m for m in load_knowm_set(data, device=dev, amplitude=0.8, frequency=[1, 10, 100])}
        r = fit(KnowmMSS(), [ms[10.0]], use_model_values=False, **budgets["MSS"])
        e1, e100 = r.evaluate([ms[1.0], ms[100.0]])
        rf = fit_resistor([ms[10.0]])
        print(f"| {dev} | {r.errors[0]:.4f} | {e1:.4f} | {e100:.4f} | {rf.errors[0]:.4f} |")
        r.plot([ms[1.0], ms[10.0], ms[100.0]])[0].figure.savefig(out / f"{dev}_mss.png", dpi=120)
    # the fitted model as an ngspice subcircuit (needs memlab.circuits)
    from memlab.circuits import subcircuit
    best_model = cmp.results[best].model
    (out / "fitted_model.sub").write_text(subcircuit(best_model).text + "\n")
    print(f"\nfitted {best} subcircuit: {out / 'fitted_model.sub'}; plots in {out.resolve()}")
    return cmp


if __name__ == "__main__":
    main()
