"""``memlab compare``: AI chips on one workload (memlab.accel)."""
from __future__ import annotations

from pathlib import Path

from ._args import positive_int


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("compare", help="compare AI chips (CPU, GPU, FPGA, ASIC, neuromorphic, PIM) on a workload",
                       description="Evaluate WORKLOAD (a zoo name such as resnet18, or a YAML/JSON file) on the "
                       "chip models; prints the table and writes CSV, Markdown and plots.")
    s.add_argument("workload", help="zoo name (e.g. resnet18, mlp) or a YAML/JSON workload file")
    s.add_argument("--chips", default=None, help="comma-separated chip presets (default: all)")
    s.add_argument("--batch", type=positive_int, default=None, help="batch size (default: the workload's)")
    s.add_argument("--out", default="compare", help="output folder (default ./compare)")
    s.set_defaults(func=run_compare)


def run_compare(a) -> int:
    from memlab import accel

    chips = [c.strip() for c in a.chips.split(",") if c.strip()] if a.chips else None
    table = accel.compare_chips(a.workload, chips=chips, out_dir=Path(a.out), batch=a.batch)
    print(table.to_markdown())
    for k, p in table.files.items():
        print(f"wrote {k}: {p}")
    return 0
