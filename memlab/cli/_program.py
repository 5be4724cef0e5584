"""``memlab program``: write-verify programming of a crossbar to a random target through the transient simulator."""
from __future__ import annotations

from pathlib import Path

from ._args import float_in, nonneg_int, positive_int, print_written


def register(sub) -> None:  # called by memlab.cli.build_parser
    desc = ("Write-verify a ROWS x COLS crossbar of VTEAM cells to random target conductances with every cell's "
            "state evolving during every pulse (memlab.arrays.program_array), verify reads through the same network; "
            "prints the headline numbers, writes a CSV of every cell and heat maps (PNG + SVG).")
    s = sub.add_parser("program", help="program a crossbar to a random target by write-verify (transient)",
                       description=desc)
    s.add_argument("--rows", type=positive_int, default=16, help="word lines (default 16)")
    s.add_argument("--cols", type=positive_int, default=16, help="bit lines (default 16)")
    s.add_argument("--r-wire", type=float_in(0), default=5.0, help="wire resistance per cell segment (ohm, default 5)")
    s.add_argument("--r-on", type=float_in(0, lo_open=True), default=1e5, help="VTEAM R_on (ohm, default 1e5)")
    s.add_argument("--r-off", type=float_in(0, lo_open=True), default=1e6, help="VTEAM R_off (ohm, default 1e6)")
    s.add_argument("--v-threshold", type=float_in(0, lo_open=True), default=0.5,
                   help="VTEAM switching thresholds +-V (V, default 0.5)")
    s.add_argument("--mode", choices=("row", "cell"), default="row", help="row-parallel (default) or cell by cell")
    s.add_argument("--scheme", choices=("V/2", "V/3"), default="V/2", help="write biasing (default V/2)")
    s.add_argument("--v-start", type=float_in(0, lo_open=True), default=0.55,
                   help="first pulse amplitude (V, default 0.55; SET is negative for VTEAM)")
    s.add_argument("--v-step", type=float_in(0), default=0.05, help="ISPP step (V, default 0.05; 0: fixed pulses)")
    s.add_argument("--v-max", type=float_in(0, lo_open=True), default=0.98, help="largest amplitude (V, default 0.98)")
    s.add_argument("--width", type=float_in(0, lo_open=True), default=20e-9, help="pulse width (s, default 20e-9)")
    s.add_argument("--tolerance", type=float_in(0, 1, lo_open=True), default=0.05,
                   help="relative verify band half-width (default 0.05)")
    s.add_argument("--max-pulses", type=positive_int, default=20, help="pulses per row / cell (default 20)")
    s.add_argument("--seed", type=nonneg_int, default=0, help="random seed of the target (default 0)")
    s.add_argument("--out", default="program", help="output folder (default ./program)")
    s.set_defaults(func=run_program)


def run_program(a) -> int:
    import numpy as np

    from memlab._io import atomic_write_text
    from memlab._table import to_csv, to_text
    from memlab.analysis import plot_program, program_table, save_figure
    from memlab.arrays import FixedPulses, ISPP, TransientCrossbar, program_array
    from memlab.devices import VTEAM

    m = VTEAM(R_on=a.r_on, R_off=a.r_off, k_off=1e-2, k_on=-1e-2, alpha_on=1, v_off=a.v_threshold,
              v_on=-a.v_threshold)
    tx = TransientCrossbar(m, np.full((a.rows, a.cols), 1.5e-9), r_row=a.r_wire, r_col=a.r_wire,
                           r_driver=a.r_wire, r_sense=a.r_wire)
    rng = np.random.default_rng(a.seed)
    r_lo, r_hi = a.r_on + 0.1 * (a.r_off - a.r_on), a.r_on + 0.8 * (a.r_off - a.r_on)
    target = 1.0 / rng.uniform(r_lo, r_hi, (a.rows, a.cols))
    v_max = max(a.v_max, a.v_start)
    policy = (FixedPulses(v_set=-a.v_start, v_reset=a.v_start, width=a.width) if a.v_step == 0 else
              ISPP(v_set=-a.v_start, v_reset=a.v_start, width=a.width, v_step=a.v_step, v_max=v_max))
    rep = program_array(tx, target, policy=policy, tolerance=a.tolerance, mode=a.mode, scheme=a.scheme,
                        max_pulses=a.max_pulses)
    print(f"crossbar {a.rows}x{a.cols} VTEAM, r_wire = {a.r_wire:g} ohm, {a.mode} write-verify, {a.scheme}")
    print(to_text(program_table(rep)))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    cells = [{"row": i, "col": j, "g_target_S": float(rep.g_target[i, j]), "g_final_S": float(rep.g_final[i, j]),
              "error": float(rep.error[i, j]), "pulses": int(rep.pulses[i, j]), "disturb": float(rep.disturb[i, j]),
              "in_band": bool(rep.success[i, j])} for i in range(a.rows) for j in range(a.cols)]
    files = {"csv": atomic_write_text(out / "program_cells.csv", to_csv(cells))}
    files.update(save_figure(plot_program(rep, title=f"write-verify {a.rows}x{a.cols}"), out / "program_heatmaps"))
    print_written(files)
    return 0
