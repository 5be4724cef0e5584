"""Benchmark: the PIM model as a predictor, and the cost of pipelining a mapped network.

1. Validation table: each published figure, the model's prediction from the chip's own
   description (memlab.accel._pim_validation) and the error; none of them was calibrated on.
2. A mapped network (memlab.analysis' trained digits MLP, 64-32-10, its test split) on ISAAC:
   pipeline throughput, latency, energy and accuracy for a few array physics, and the wall
   time of one evaluation.
3. The design search (NSGA-II) over array size, ADC bits, tiles, mapping and clock for that
   network: evaluations, wall time, the Pareto front (table) and its plot
   (``out/pim_design_front.png``).
Timings depend on load: the script prints ``uptime``'s load with them.
"""
from __future__ import annotations

import os
import time

from memlab import accel
from memlab._table import fmt_si, to_text
from memlab.accel._pim_validation import pim_validation
from memlab.analysis import train_digits_mlp
from memlab.networks import from_arrays, map_network


def validation():
    rows = [{"case": r["case"], "quantity": r["quantity"], "predicted": fmt_si(r["predicted"], r["unit"]),
             "published": fmt_si(r["published"], r["unit"]), "error": f"{100 * r['error']:+.1f} %",
             "basis": r["basis"], "source": r["source"]} for r in pim_validation()]
    print("PIM model predictions vs published figures (none calibrated on)")
    print(to_text(rows, ["case", "quantity", "predicted", "published", "error", "basis", "source"]))
    from memlab.accel._pim_neurosim import (NEUROSIM_V14, NEUROSIM_V14_PARTS, neurosim_isaac_rows, neurosim_rows,
                                            neurosim_system)
    ns = [{"model": r["case"].split("(")[-1].rstrip(")"), "quantity": r["quantity"].split(",")[0],
           "predicted": fmt_si(r["predicted"], r["unit"]), "published": fmt_si(r["published"], r["unit"]),
           "error": f"{100 * r['error']:+.1f} %"} for r in neurosim_rows() + neurosim_isaac_rows()]
    print("PIM models at DNN+NeuroSim V1.4's release-test design point (VGG-8 CIFAR-10, 22 nm RRAM), predicted")
    print(to_text(ns, ["model", "quantity", "predicted", "published", "error"]))
    res = neurosim_system()
    before = neurosim_system(hierarchy="flat")             # the previous model: periphery, clock, flat buffer
    p = NEUROSIM_V14_PARTS
    print(f"synchronous clock: {fmt_si(res.clock_s, 's')} (NeuroSim {fmt_si(p['clock_s'], 's')}, "
          f"{100 * (res.clock_s / p['clock_s'] - 1):+.1f} %)")
    slow, slow0 = (max(r.stages, key=lambda s: s["time_s"]) for r in (res, before))
    clk, clk_ns = res.clock_s, p["clock_s"]
    t_rows = [("slowest stage (pipeline interval)", "time_s", p["interval_s"]),
              ("  converter / array time", "array_s", p["adc_s"]), ("  accumulation time", "accum_s", p["accum_s"]),
              ("  buffer time", "buffer_s", p["buffer_s"]), ("    global buffer", "buffer_global_s", None),
              ("    tile buffers", "buffer_tile_s", None), ("    PE buffers / speed-up", "buffer_pe_s", None),
              ("  interconnect time", "bus_s", p["ic_s"]), ("    X-Y bus", "ic_global_s", None),
              ("    tile H-tree", "ic_tile_s", None)]
    def top(r, k):                   # NeuroSim reports each part's largest value over the layers
        return max(s.get(k, 0.0) for s in r.stages)

    parts = [{"part": n, "memlab": fmt_si(top(res, k), "s"), "clocks": f"{top(res, k) / clk:.0f}",
              "NeuroSim": fmt_si(ref, "s") if ref else "", "NS clocks": f"{ref / clk_ns:.0f}" if ref else "",
              "error": f"{100 * (top(res, k) / clk / (ref / clk_ns) - 1):+.0f} %" if ref else "",
              "before": fmt_si(top(before, k), "s")} for n, k, ref in t_rows]
    other_ns = p["other_J"] - p["buffer_J"] - p["ic_J"]
    e_rows = [("sense amplifiers + array", "adc", p["adc_J"]), ("accumulation (shift-add, adder trees)", "accum",
              p["accum_J"]), ("other periphery (switch matrix, mux, decoder)", "other", other_ns),
              ("buffer", "buffer", p["buffer_J"]), ("interconnect", "ic", p["ic_J"])]
    parts += [{"part": n + " / image", "memlab": fmt_si(res.parts[k], "J"), "NeuroSim": fmt_si(ref, "J"),
               "error": f"{100 * (res.parts[k] / ref - 1):+.0f} %", "before": fmt_si(before.parts[k], "J")}
              for n, k, ref in e_rows]
    tot, tot_ns = sum(res.parts.values()), p["adc_J"] + p["accum_J"] + p["other_J"]
    parts.append({"part": "dynamic energy / image", "memlab": fmt_si(tot, "J"), "NeuroSim": fmt_si(tot_ns, "J"),
                  "error": f"{100 * (tot / tot_ns - 1):+.0f} %", "before": fmt_si(sum(before.parts.values()), "J")})
    print(f"system model by part (slowest stage {slow['layer']}, before: {slow0['layer']}; times: each part's largest "
          "over the layers, as NeuroSim reports them, also in each model's clocks, errors of times in clocks; energies "
          "before the 1.22 post-layout factor; before = hierarchy='flat')")
    print(to_text(parts, ["part", "memlab", "clocks", "NeuroSim", "NS clocks", "error", "before"]))
    clock_breakdown()
    area_parts(res, before)
    opts = [("as stated", {}), ("before: flat buffer and bus", {"hierarchy": "flat"}),
            ("later Param.cpp device: Ron 100 kOhm", {"r_on": 100e3, "r_off": 1.7e6}),
            ("input density 0.5 (earlier assumption)", {"input_density": 0.5}),
            ("NeuroSim's unpadded positions", {"positions": "valid"}),
            ("no periphery, stated clock, flat", {"periphery": "none", "clock": "stated", "hierarchy": "flat"}),
            ("periphery, stated 1 GHz clock", {"clock": "stated"}), ("overlap data movement", {"overlap": True}),
            ("one copy per layer (flat)", {"replication": "one-copy", "hierarchy": "flat"}),
            ("2-bit DAC inputs", {"input_drive": "dac", "dac_bits": 2}),
            ("SAR, Walden 10 fJ/step", {"adc": "walden"}), ("ISAAC SAR table", {"adc": "isaac"})]
    print("system model options at the same design (published: 23.94 TOPS/W, 6.342 TOPS)")
    out = []
    for n, c in opts:
        r = neurosim_system(**c)
        out.append({"option": n, "TOPS/W": f"{r.ops_per_J / 1e12:.3g}", "TOPS": f"{r.throughput_ops_per_s / 1e12:.3g}"})
    print(to_text(out))


def clock_breakdown():
    """NeuroSim's synchronous clock term by term (SubArray.cpp CalculateLatency, CalculateclkFreq,
    conventional parallel 1T1R: beta x (max(switch matrix, mux + mux decoder) + MLSA + encoder)),
    at the release test's Ron 6 kOhm and the later Param.cpp's 100 kOhm, 128 and 64 rows at once."""
    from memlab.accel._pim_neurosim import NEUROSIM_V14_PARTS, neurosim_design
    from memlab.accel._pim_periphery import BETA, periphery
    rows = []
    for r_on, rp, ref in ((6e3, 0, NEUROSIM_V14_PARTS["clock_s"]), (6e3, 64, 1.97768e-9), (100e3, 0, None),
                          (100e3, 64, None)):
        d = neurosim_design(r_on=r_on, r_off=17 * r_on, rows_parallel=rp)
        t_sense = d.conversion()[1] / d.sense_factor
        p = periphery(d, t_sense)
        mux = p["mux"].delay + p["decoder"].delay
        rows.append({"Ron": fmt_si(r_on, "ohm"), "rows": d.ra, "switch matrix": fmt_si(p["switch"].delay, "s"),
                     "mux": fmt_si(p["mux"].delay, "s"), "mux decoder": fmt_si(p["decoder"].delay, "s"),
                     "max(row, col)": fmt_si(max(p["switch"].delay, mux), "s"), "MLSA": fmt_si(t_sense, "s"),
                     "encoder": fmt_si(p["t_encoder"], "s"), f"x beta {BETA}": fmt_si(p["clock_s"], "s"),
                     "NeuroSim": fmt_si(ref, "s") if ref else "",
                     "error": f"{100 * (p['clock_s'] / ref - 1):+.3f} %" if ref else ""})
    print("synchronous clock term by term (SubArray.cpp: beta x (max(wlNewSwitchMatrix, mux + muxDecoder) + "
          "multilevelSenseAmp + multilevelSAEncoder); NeuroSim publishes only the product)")
    print(to_text(rows))


def area_parts(res, before):
    """The floorplan's area by NeuroSim's parts (Data/1.4_Release_test.csv columns 5-10)."""
    from memlab.accel._pim_neurosim import neurosim_area_rows
    a = res.area_m2
    print(f"area of NeuroSim's floorplan ({a['tiles']} tiles, {a['subarrays']} subarrays), mm^2, by NeuroSim's parts "
          f"(memlab other = switch matrices, multiplexers {a['mux'] * 1e6:.3g}, level shifters "
          f"{a['level_shifters'] * 1e6:.3g}, PE {a['pe_buffers'] * 1e6:.3g}, tile {a['tile_buffers'] * 1e6:.3g} and "
          f"global {a['global_buffer'] * 1e6:.3g} buffers; ic: bus wires not transcribed; before = hierarchy='flat', "
          f"used subarrays only: {before.area_m2['total'] * 1e6:.3g})")
    rows = []
    for r1, r3 in zip(neurosim_area_rows(), neurosim_area_rows(rows_parallel=64)):
        rows.append({"part": r1["part"], "memlab": f"{r1['predicted']:.3g}", "NeuroSim": f"{r1['published']:.4g}",
                     "error": f"{100 * r1['error']:+.1f} %", "64 rows: memlab": f"{r3['predicted']:.3g}",
                     "NeuroSim ": f"{r3['published']:.4g}", "error ": f"{100 * r3['error']:+.1f} %"})
    print(to_text(rows))


def _network():
    mlp = train_digits_mlp(hidden=32)
    return from_arrays([w.T for w in mlp.weights], list(mlp.biases)), mlp.x_test, mlp.y_test


def pipeline():
    net, x, y = _network()
    chip = accel.make_chip("ISAAC")
    rows = []
    for r_wire, g_max in ((0.0, 1e-4), (10.0, 1e-4), (10.0, 1e-5), (20.0, 1e-4)):
        m = map_network(net, tile=(128, 128), calibration=x, r_row=r_wire, r_col=r_wire, adc_bits=8,
                        adc_range="calibrated", g_min=1e-6, g_max=g_max)
        t0 = time.perf_counter()
        res = chip.pipeline(m, x, y, batch=64, energy_samples=8)
        dt = time.perf_counter() - t0
        rows.append({"r_wire_ohm": r_wire, "g_max_S": g_max, "accuracy": res.accuracy,
                     "E_array_J": res.report.energy_J["compute"], "E_inference_J": res.energy_per_inference_J,
                     "latency_s": res.latency_s, "throughput_per_s": res.throughput_per_s, "eval_s": dt})
    print("digits MLP on ISAAC, batch 64, one mapping per row (wire resistance, device window)")
    print(to_text(rows))


def search():
    import matplotlib
    matplotlib.use("Agg")
    net, x, y = _network()
    space = {"rows": [32, 64, 128, 256], "adc_bits": [3, 4, 5, 6, 8], "tiles": [1, 4, 16],
             "weight_mapping": ["differential", "offset"], "adc_rate": [0.3e9, 0.6e9, 1.2e9]}
    t0 = time.perf_counter()
    res = accel.design_search(net, x, y, space=space, population=24, generations=12, seed=0)
    dt = time.perf_counter() - t0
    n_all = 4 * 5 * 3 * 2 * 3
    print(f"design search (NSGA-II, 24 x 12): {res.n_evaluations} of {n_all} designs evaluated in {dt:.1f} s, "
          f"{len(res.front)} on the front")
    print(res.to_text())
    os.makedirs("out", exist_ok=True)
    ax = res.plot()
    ax.figure.savefig("out/pim_design_front.png", dpi=120, bbox_inches="tight")
    print("plot: out/pim_design_front.png")


def main():
    print(f"load: {os.getloadavg()}")
    validation()
    pipeline()
    search()


if __name__ == "__main__":
    main()
