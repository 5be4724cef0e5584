"""Inter-layer pipelining of a mapped network on a PIM chip (ISAAC's central idea).

Every layer group of the network is a pipeline *stage* with its own arrays. Layers on
different arrays work at the same time on different inferences, so in steady state one
inference leaves the chip every ``interval = max(stage times)`` (throughput ``1/interval``),
while one inference still passes every stage: ``latency = sum(stage times)``.

Allocation (all SI units):

1. *Groups*. Stages are packed in network order into groups whose arrays fit on the chip
   (``n_arrays``). A network that fits is one group, programmed once (no reprogramming cost
   per inference). Otherwise every group is programmed in turn for each batch of ``batch``
   inferences: ``cells x write_pulses x e_write_cell`` (J, energy component ``write``;
   the weight load over the I/O is ``dram``) and, for all arrays of the group
   in parallel and one row at a time, ``rows x write_pulses x t_write_pulse`` (s), and the
   weights (``cells x cell_bits / 8`` B) come in over the chip's I/O (``e_io`` J/B, ``io_bw``
   B/s); the slower of writing and loading sets the time. A stage larger than the chip is a
   group of its own, run (and written) in ``ceil(arrays / n_arrays)`` passes.
2. *Replication* (ISAAC's pipeline balancing). Arrays left in a group go, one copy at a time,
   to the slowest stage while a copy fits: a stage of ``v`` input vectors and ``p`` input
   planes on ``r`` copies takes ``ceil(v / r) * p * t_read``.
3. *Stage time* = the largest of: the arrays' time above; eDRAM traffic (input written and
   read, ``2 * in_bytes``) over the eDRAM bandwidth of the stage's tiles; network-on-chip
   traffic (``out_bytes``) over one router port (``edram_bw``); off-chip traffic (network
   input and output, buffer spills) over ``io_bw``.
4. *Buffers*. A stage's input feature map (``in_bytes``) must sit in the eDRAM of its tiles
   (``edram_bytes`` each); what does not fit spills off chip and back (2x over the I/O). The
   whole feature map is held, a conservative bound: ISAAC keeps only a window of rows.
5. *Batch time* ``T = sum over groups of (latency_g + (batch - 1) * interval_g + reprogram_g)``;
   throughput ``batch / T``; static energy per inference ``p_static * T / batch``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from memlab._table import to_text

__all__ = ["Stage", "PipelineResult", "allocate", "stage_time"]


@dataclass(frozen=True)
class Stage:
    """One pipeline stage: a layer group of the mapped network.

    ``arrays``: crossbar tiles of one copy; ``vectors``: input vectors per inference;
    ``planes``: input planes per vector (bit-serial DAC); ``cells``: programmed cells of one
    copy; ``in_bytes`` / ``out_bytes``: input / output feature map per inference (B).
    """

    name: str
    arrays: int
    vectors: int
    planes: int
    cells: int
    in_bytes: float
    out_bytes: float


def stage_time(stage: Stage, replicas: int, t_read: float, n_arrays: int) -> float:
    """Array time (s) of one inference in ``stage`` with ``replicas`` copies (passes when the
    stage is larger than the chip)."""
    if stage.arrays > n_arrays:
        return stage.vectors * math.ceil(stage.arrays / n_arrays) * stage.planes * t_read
    return math.ceil(stage.vectors / replicas) * stage.planes * t_read


def allocate(stages, n_arrays: int, t_read: float):
    """Groups (lists of stage indices) and copies per stage (see the module doc)."""
    groups, cur, used = [], [], 0
    for i, s in enumerate(stages):
        if cur and used + s.arrays > n_arrays:
            groups.append(cur)
            cur, used = [], 0
        cur.append(i)
        used += s.arrays
        if used >= n_arrays:
            groups.append(cur)
            cur, used = [], 0
    if cur:
        groups.append(cur)
    replicas = [1] * len(stages)
    for g in groups:
        left = n_arrays - sum(stages[i].arrays for i in g)
        while left > 0:
            times = {i: stage_time(stages[i], replicas[i], t_read, n_arrays) for i in g}
            slow = max(times, key=times.get)
            s = stages[slow]
            if s.arrays > left or replicas[slow] >= s.vectors:
                break
            replicas[slow] += 1
            left -= s.arrays
    return groups, replicas


@dataclass
class PipelineResult:
    """A mapped network pipelined on a PIM chip (SI units), from :meth:`PIMChip.pipeline`.

    ``report``: the :class:`~memlab.accel.Report` (per stage, plus one ``reprogram[g]`` row
    per group when the network does not fit; its ``latency_s`` is the latency of one
    inference including ``reprogram_s / batch``); ``interval_s``: steady-state time between
    inferences of a group, the largest over groups (s); ``throughput_per_s``: inferences per
    second over a batch; ``groups``: stage names per group; ``replicas``: copies per stage;
    ``bottleneck``: the slowest stage; ``fits``: the whole network is on the chip at once;
    ``reprogram_J`` / ``reprogram_s``: per batch; ``spill_bytes`` / ``noc_bytes``: per
    inference; ``accuracy`` / ``ideal_accuracy``: of the same mapping on the given data.
    """

    report: object
    batch: int
    interval_s: float
    batch_time_s: float
    throughput_per_s: float
    groups: list
    replicas: dict
    bottleneck: str
    fits: bool
    reprogram_J: float
    reprogram_s: float
    spill_bytes: float
    noc_bytes: float
    accuracy: float | None = None
    ideal_accuracy: float | None = None
    stages: list = field(default_factory=list)

    @property
    def latency_s(self) -> float:
        """Latency of one inference (s): the sum of the stage times (and reprogramming / batch)."""
        return self.report.latency_s

    @property
    def energy_per_inference_J(self) -> float:
        return self.report.energy_per_inference_J

    def summary(self) -> dict:
        """One flat row (SI units)."""
        return {"chip": self.report.chip, "network": self.report.workload, "batch": self.batch,
                "latency_s": self.latency_s, "interval_s": self.interval_s,
                "throughput_per_s": self.throughput_per_s, "energy_per_inference_J": self.energy_per_inference_J,
                "accuracy": self.accuracy, "fits": self.fits, "groups": len(self.groups),
                "bottleneck": self.bottleneck, "reprogram_J": self.reprogram_J, "reprogram_s": self.reprogram_s,
                "spill_bytes": self.spill_bytes, "noc_bytes": self.noc_bytes}

    def to_text(self) -> str:
        head = "\n".join(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}" for k, v in self.summary().items())
        return head + "\n\n" + to_text(self.stages, ["stage", "group", "arrays", "replicas", "time_s", "bound",
                                                     "spill_B", "energy_J"])

    def __str__(self):
        return self.to_text()
