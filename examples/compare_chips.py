"""Which chip wins on a network, and what does crossbar physics do to the PIM answer?

Run:  python examples/compare_chips.py [workload] [out_dir]
Writes <workload>_compare.csv/.md and roofline/energy plots to out_dir (default out/accel).
"""
import sys

from memlab import accel
from memlab._table import fmt_si


def main(workload="resnet18", out_dir="out/accel"):
    table = accel.compare_chips(workload, out_dir=out_dir)
    print(table)
    print("fastest:", table.best("latency_s"), "| least energy per inference:", table.best("energy_per_inference_J"))
    print("files:", {k: str(v) for k, v in table.files.items()})

    print("\nISAAC vs wire resistance (exact column sums kept by activating fewer rows):")
    print(f"{'r_wire (ohm)':>12} {'usable bits':>11} {'active rows':>11} {'ADC bits':>8} {'latency':>10} {'energy/inf':>11}")
    for r in (0.0, 0.35, 0.7, 1.4, 2.8):
        chip = accel.make_chip("ISAAC", r_wire=r)
        rep = chip.evaluate(workload)
        s = chip.physics_summary()
        print(f"{r:>12.2f} {s['usable_bits_full_rows']:>11d} {s['active_rows']:>11d} {s['adc_bits']:>8d} "
              f"{fmt_si(rep.latency_s, 's'):>10} {fmt_si(rep.energy_per_inference_J, 'J'):>11}")

    print("\nDark silicon (fixed 111 mm^2, 125 W):")
    ds = accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"))
    for res in ds.sweep():
        print(f"  {res.node_nm:>2} nm: {res.n_active:>4d}/{res.n_area:<4d} cores lit, dark {100 * res.dark_fraction:5.1f} %")


if __name__ == "__main__":
    main(*sys.argv[1:])
