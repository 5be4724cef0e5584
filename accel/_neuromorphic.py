"""Event-driven spiking chips (Loihi-, TrueNorth-like).

Spiking layers carry their own ``timesteps`` and ``rate``; other layers are run as a
rate-coded conversion with the chip's ``conv_timesteps`` and ``conv_rate`` (every input
activation becomes ``rate * T`` spikes, each reaching the layer's average fan-out
``MACs / inputs``). Per layer and sample:

* synaptic events ``= Σ spikes x fan-out``; neuron updates ``= outputs x T``;
* cores used ``= min(n_cores, ceil(neurons / neurons_per_core))`` (more neurons than the
  chip has are time-multiplexed in ``passes``);
* per step: ``t_syn = events_per_step / cores * t_syn``; ``t_neu = neurons_per_core_used *
  t_neuron``; ``t_step = max(max(t_syn, t_neu) + t_barrier, t_tick_min)``;
* spikes travel ``(2/3) sqrt(cores)`` mesh hops on average to ``ceil(fanout /
  neurons_per_core)`` destination cores;
* ``E = events*e_syn + updates*e_neuron + packets*(e_spike + hops*e_hop) + p_static*T_wall``.

Bound: ``spikes`` (synaptic processing), ``neuron`` (neuron updates) or ``sync``
(barrier / real-time tick).
"""
from __future__ import annotations

import math

from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._report import LayerResult
from ._workload import Spiking

__all__ = ["NeuromorphicChip"]


class NeuromorphicChip(HardwareModel):
    MODEL = "neuromorphic"
    REQUIRED = {
        "n_cores": Spec("1", kind="int"), "neurons_per_core": Spec("1", kind="int"),
        "e_syn": Spec("J"), "e_neuron": Spec("J", lo=0.0, lo_open=False),
        "e_spike": Spec("J", lo=0.0, lo_open=False), "e_hop": Spec("J", lo=0.0, lo_open=False),
        "t_syn": Spec("s"), "t_neuron": Spec("s"), "t_barrier": Spec("s", lo=0.0, lo_open=False),
        "t_tick_min": Spec("s", lo=0.0, lo_open=False), "p_static": Spec("W", lo=0.0, lo_open=False),
        "conv_timesteps": Spec("1", kind="int"), "conv_rate": Spec("1", lo=0.0, hi=1.0),
        "area_mm2": Spec("mm^2"),
    }

    def peak_ops_per_s(self, dtype="int8"):
        """Dense-equivalent: one synaptic event counted as one MAC (2 ops)."""
        return 2 * self.v["n_cores"] / self.v["t_syn"]

    def dram_bw_Bps(self):
        return 0.0

    def _layer(self, layer, batch, first, last):
        v = self.v
        if isinstance(layer, Spiking):
            T, rate = layer.timesteps, layer.rate
            spikes = rate * layer.n_in * T
            events = layer.synaptic_events
            neurons, fanout = layer.n_out, layer.fanout
        else:
            T, rate = v["conv_timesteps"], v["conv_rate"]
            fanout = layer.macs / layer.inputs
            spikes = layer.inputs * rate * T
            events = layer.macs * rate * T
            neurons = layer.outputs
        npc = v["neurons_per_core"]
        cores_needed = math.ceil(neurons / npc)
        passes = math.ceil(cores_needed / v["n_cores"])
        cores = min(cores_needed, v["n_cores"])
        per_core_neurons = min(npc, math.ceil(neurons / (cores * passes)))
        t_syn = events / T / passes / cores * v["t_syn"]
        t_neu = per_core_neurons * v["t_neuron"]
        t_busy = max(t_syn, t_neu) + v["t_barrier"]
        t_step = max(t_busy, v["t_tick_min"])
        steps = T * passes * batch
        latency = steps * t_step
        times = {"spikes": steps * (t_syn + v["t_barrier"]), "neuron": steps * (t_neu + v["t_barrier"]),
                 "sync": steps * max(v["t_tick_min"], v["t_barrier"])}
        if v["t_tick_min"] >= t_busy or v["t_barrier"] >= max(t_syn, t_neu):
            bound = "sync"
        else:
            bound = "spikes" if t_syn >= t_neu else "neuron"
        hops = (2.0 / 3.0) * math.sqrt(cores)
        packets = spikes * max(1, math.ceil(fanout / npc)) * batch
        updates = neurons * T * batch
        e = energy_dict(compute=events * batch * v["e_syn"] + updates * v["e_neuron"],
                        interconnect=packets * (v["e_spike"] + hops * v["e_hop"]),
                        static=v["p_static"] * latency)
        macs = layer.macs * batch
        util = events * batch / (v["n_cores"] / v["t_syn"] * latency)
        return LayerResult(layer.name, layer.kind, macs, 0.0, 0.0, times, latency, bound, e, util,
                           {"synaptic_events": events * batch, "spikes": spikes * batch, "cores": cores,
                            "passes": passes, "timesteps": T})
