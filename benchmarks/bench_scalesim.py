"""Benchmark: memlab's systolic model side by side with SCALE-Sim on 5 layers x 3 arrays.

SCALE-Sim (PyPI ``scalesim`` 3.0.0, Samajdar et al., ISPASS 2020) simulates the array
cycle by cycle with double-buffered SRAMs and a DRAM interface; memlab's
:func:`memlab.accel.fold_cycles` / :func:`memlab.accel.systolic_counts` are closed forms.
Both run the same GEMMs (SCALE-Sim's GEMM mode: M ofmap rows, N filters, K window),
weight-stationary, 64 kB ifmap / filter / ofmap SRAMs, 10 words/cycle DRAM.

scalesim 3.0.0 fails under numpy >= 2 (``int(max(response_cycles_arr))`` on an array in
``memory/read_buffer.py``), so it is not a test dependency: this script runs it with the
interpreter named by ``SCALESIM_PYTHON`` (a venv with ``pip install scalesim 'numpy<2'``).
``--write-reference`` stores SCALE-Sim's figures in ``tests/accel/reference/scalesim_ws.txt``,
which ``tests/accel/test_systolic_scalesim.py`` compares against without SCALE-Sim.

Agreement (the table printed; explained in ``tests/accel/test_systolic_scalesim.py``):
compute cycles within one cycle (SCALE-Sim counts ``2R + C + m - 2`` per fold minus one
overall) and SRAM reads/writes exactly, wherever the operands fit their SRAMs; DRAM input
reads within 10% (SCALE-Sim fetches whole prefetch blocks). The exception is
``mlp_fc1_b16``, whose 235 kB weight matrix exceeds the 64 kB filter SRAM: SCALE-Sim 3
re-reads the weights 7-9x from DRAM and its cycle count becomes the DRAM transfer time
(filter DRAM reads / 10 words per cycle); memlab streams each weight once (a weight FIFO,
as TPU v1), so it is 15-73% lower there. The ``cycles w/ dbuf`` column is memlab's TPU v1
schedule with weight double-buffering, which SCALE-Sim does not model.

Usage::

    SCALESIM_PYTHON=/path/to/venv/bin/python python benchmarks/bench_scalesim.py [--write-reference]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from memlab.accel import fold_cycles, systolic_counts

#: (name, M, N, K): LeNet C3 (5x5, 6->16 on 14x14 -> 10x10), MLP fc1 784->300 at batch 16,
#: 3x3 conv 16->32 on 14x14, attention scores 64x64 (d 64), 1x1 conv 64->128 on 7x7
LAYERS = [("lenet_c3", 100, 16, 150), ("mlp_fc1_b16", 16, 300, 784), ("conv3x3_16_32", 196, 32, 144),
          ("attn_qk", 64, 64, 64), ("conv1x1_64_128", 49, 128, 64)]
ARRAYS = [(8, 8), (16, 16), (32, 8)]
SRAM_KB = 64
REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "accel" / "reference" / "scalesim_ws.txt"

_CFG = """[general]
run_name = {name}

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {kb}
FilterSramSzkB: {kb}
OfmapSramSzkB: {kb}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Dataflow : ws
Bandwidth : 10
ReadRequestBuffer: 128
WriteRequestBuffer: 128

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: USER
UseRamulatorTrace: False
"""

_RUN = """
import sys
from scalesim.scale_sim import scalesim
s = scalesim(save_disk_space=True, verbose=False, config=sys.argv[1], topology=sys.argv[2], layout=sys.argv[2],
             input_type_gemm=True)
s.run_scale(top_path=sys.argv[3])
"""


def _row(path: Path) -> dict:
    head, vals = path.read_text().splitlines()[:2]
    return {k.strip(): float(v) for k, v in zip(head.split(","), vals.split(",")) if k.strip()}


def run_scalesim(python: str) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        (d / "run.py").write_text(_RUN)
        for rows, cols in ARRAYS:
            for name, m, n, k in LAYERS:
                tag = f"{name}_{rows}x{cols}"
                (d / f"{tag}.cfg").write_text(_CFG.format(name=tag, rows=rows, cols=cols, kb=SRAM_KB))
                (d / f"{tag}.csv").write_text(f"Layer, M, N, K,\n{name}, {m}, {n}, {k},\n")
                subprocess.run([python, str(d / "run.py"), str(d / f"{tag}.cfg"), str(d / f"{tag}.csv"), str(d)],
                               check=True, capture_output=True, text=True, timeout=600)
                c, a = _row(d / tag / "COMPUTE_REPORT.csv"), _row(d / tag / "DETAILED_ACCESS_REPORT.csv")
                out.append({"layer": name, "rows": rows, "cols": cols, "M": m, "N": n, "K": k,
                            "cycles": c["Total Cycles"], "stalls": c["Stall Cycles"],
                            "ifmap_reads": a["SRAM IFMAP Reads"], "filter_reads": a["SRAM Filter Reads"],
                            "ofmap_writes": a["SRAM OFMAP Writes"], "ifmap_dram": a["DRAM IFMAP Reads"],
                            "filter_dram": a["DRAM Filter Reads"], "ofmap_dram": a["DRAM OFMAP Writes"]})
    return out


def memlab_figures(r: dict) -> dict:
    m, n, k, rows, cols = r["M"], r["N"], r["K"], r["rows"], r["cols"]
    got = systolic_counts(m, k, n, rows, cols, "ws", SRAM_KB * 1024, partial_sums_to_dram=True)
    got["cycles"] = fold_cycles(m, k, n, rows, cols, "ws")[1]
    got["cycles_db"] = fold_cycles(m, k, n, rows, cols, "ws", double_buffer=True)[1]
    return got


KEYS = ("cycles", "ifmap_reads", "filter_reads", "ofmap_writes", "ifmap_dram", "filter_dram", "ofmap_dram")


def table(ref: list[dict]) -> str:
    lines = [f"{'layer':<16}{'array':>7} " + " ".join(f"{k:>22}" for k in KEYS) + f" {'cycles w/ dbuf':>15}",
             "(each cell: SCALE-Sim / memlab, relative difference)"]
    for r in ref:
        got = memlab_figures(r)
        cells = [f"{int(r[k]):>8}/{int(got[k]):<8}{(got[k] - r[k]) / r[k]:>+5.1%}" for k in KEYS]
        lines.append(f"{r['layer']:<16}{r['rows']:>3}x{r['cols']:<3} " + " ".join(f"{c:>22}" for c in cells)
                     + f" {got['cycles_db']:>15}")
    return "\n".join(lines)


def main():
    print(f"load average: {os.getloadavg()}")
    python = os.environ.get("SCALESIM_PYTHON")
    if python:
        ref = run_scalesim(python)
        if "--write-reference" in sys.argv:
            REFERENCE.parent.mkdir(parents=True, exist_ok=True)
            REFERENCE.write_text("# SCALE-Sim 3.0.0 (PyPI scalesim, numpy<2), GEMM mode, ws, 64 kB SRAMs, 10 words/cycle;\n"
                                 "# written by benchmarks/bench_scalesim.py --write-reference; one JSON object a line\n"
                                 + "".join(json.dumps(r) + "\n" for r in ref))
            print(f"wrote {REFERENCE}")
    else:
        print(f"SCALESIM_PYTHON not set: using the stored SCALE-Sim figures in {REFERENCE}")
        ref = [json.loads(l) for l in REFERENCE.read_text().splitlines() if l.startswith("{")]
    print(table(ref))


if __name__ == "__main__":
    main()
