"""``memlab compare``: AI chips on one workload (memlab.accel)."""
from __future__ import annotations

from pathlib import Path

from ._args import UsageError, positive_int

#: workload names the help text gives as examples (tests check each is in the accel zoo)
EXAMPLES = ("resnet18", "mlp_mnist", "snn_mnist")


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("compare", help="compare AI chips (CPU, GPU, FPGA, ASIC, neuromorphic, PIM) on a workload",
                       description="Evaluate WORKLOAD (a zoo name such as resnet18, or a YAML/JSON file) on the "
                       "chip models; prints the table and writes CSV, Markdown and plots. Every figure says "
                       "whether it is a bound, a calibrated or a predicted estimate. "
                       "`memlab compare --list` lists the workloads and chips accepted.")
    s.add_argument("workload", nargs="?", default=None,
                   help=f"zoo name (e.g. {', '.join(EXAMPLES)}; see --list) or a YAML/JSON workload file")
    s.add_argument("--chips", default=None, help="comma-separated chip presets (default: all; see --list)")
    s.add_argument("--batch", type=positive_int, default=None, help="batch size (default: the workload's)")
    s.add_argument("--out", default="compare", help="output folder (default ./compare)")
    s.add_argument("--list", action="store_true", help="list the accepted workloads and chip presets, then exit")
    s.set_defaults(func=run_compare)


def run_compare(a) -> int:
    from memlab import accel

    if a.list:
        # both lists come from the registries compare_chips itself accepts
        print("workloads: " + ", ".join(accel.zoo_names() + sorted(accel.tpu_v1_workloads())))
        print("chips: " + ", ".join(accel.chip_names()))
        print("default chips: " + ", ".join(accel.DEFAULT_CHIPS))
        return 0
    if a.workload is None:
        raise UsageError("compare: the WORKLOAD argument is required (zoo name or YAML/JSON file; see --list)")
    chips = [c.strip() for c in a.chips.split(",") if c.strip()] if a.chips else None
    table = accel.compare_chips(a.workload, chips=chips, out_dir=Path(a.out), batch=a.batch)
    print(table.to_markdown())
    for k, p in table.files.items():
        print(f"wrote {k}: {p}")
    return 0
