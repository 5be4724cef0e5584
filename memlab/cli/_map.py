"""``memlab map``: a user's ONNX network on tiles of crossbars (memlab.networks)."""
from __future__ import annotations

from pathlib import Path

from ._args import existing_file, float_in, nonneg_int, positive_int


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("map", help="map an ONNX network onto tiles of crossbars and report its accuracy",
                       description="Read an ONNX model, split every matrix layer into tiles of at most ROWSxCOLS "
                       "cells (each an exact memlab.arrays crossbar with IR drop, DAC and ADC), run a data set "
                       "through it and print the tile table, the per-layer error and the accuracy against the "
                       "ideal network.")
    s.add_argument("model", type=existing_file, help="the ONNX file (e.g. from torch.onnx.export or skl2onnx)")
    s.add_argument("--tile", default="128x128", help="tile size ROWSxCOLS (default 128x128)")
    s.add_argument("--data", default="digits", help="data set: digits (built in), mnist:DIR, fashion-mnist:DIR or "
                   "cifar10:DIR (local files; nothing is downloaded). Default digits")
    s.add_argument("--samples", type=positive_int, default=None, help="use the first N samples (default all)")
    s.add_argument("--r-wire", type=float_in(0), default=0.0, help="wire resistance per cell segment (ohm, default 0)")
    s.add_argument("--adc-bits", type=nonneg_int, default=None, help="ADC resolution (default: ideal ADC)")
    s.add_argument("--dac-bits", type=nonneg_int, default=None, help="DAC resolution (default: ideal DAC)")
    s.add_argument("--g-min", type=float_in(0, lo_open=True), default=None, help="smallest conductance (S)")
    s.add_argument("--g-max", type=float_in(0, lo_open=True), default=None, help="largest conductance (S)")
    s.add_argument("--mapping", choices=("differential", "offset"), default="differential",
                   help="weight mapping (default differential)")
    s.add_argument("--seed", type=nonneg_int, default=0, help="seed of the non-idealities (default 0)")
    s.add_argument("--out", default=None, help="also write the report as Markdown to this file")
    s.set_defaults(func=run_map)


def run_map(a) -> int:
    from memlab._io import atomic_write_text
    from memlab.networks import map_model, parse_tile

    kw = {k: v for k, v in (("adc_bits", a.adc_bits), ("dac_bits", a.dac_bits), ("g_min", a.g_min),
                            ("g_max", a.g_max)) if v is not None}
    _, rep = map_model(a.model, a.data, tile=parse_tile(a.tile), samples=a.samples, r_row=a.r_wire,
                       r_col=a.r_wire, weight_mapping=a.mapping, seed=a.seed, **kw)
    print(rep.to_text())
    if a.out:
        print(f"wrote {atomic_write_text(Path(a.out), rep.to_markdown())}")
    return 0
