"""Event-driven spiking chips (Loihi-, TrueNorth-like): static power plus per-event energy.

Spiking layers carry their own ``timesteps`` and ``rate``; other layers are run as a
rate-coded ANN-to-SNN conversion whose rate and latency are explicit inputs: every input
activation becomes ``conv_rate`` spikes per step for ``conv_timesteps`` steps, each reaching
the layer's average fan-out ``MACs / inputs``. Per layer and sample:

* synaptic events ``= spikes x fan-out``; neuron updates ``= neurons x T``, of which a
  share ``1 - (1 - rate)^fan_in`` (neurons receiving at least one spike in a step) costs
  ``e_neuron`` (active update) and the rest ``e_neuron_idle``;
* mapping: a core holds ``neurons_per_core`` neurons with at most ``axons_per_core`` inputs
  and ``synapses_per_core`` weights (its synaptic memory), so ``cores = max(ceil(neurons /
  neurons_per_core) x ceil(fan_in / axons_per_core), ceil(neurons x fan_in /
  synapses_per_core))``; a source neuron reaches at most ``fanout_cores`` cores, so a spike
  bound for ``d = ceil(fan_out / neurons_per_core)`` cores needs ``d - fanout_cores`` relay
  copies (``relay`` neurons, on their own cores); more cores than the chip has are
  time-multiplexed in ``passes``;
* per step: ``t_syn = events_per_step / cores * t_syn``; ``t_neu = neurons_per_core_used *
  t_neuron``; ``t_step = max(max(t_syn, t_neu) + t_barrier, t_tick_min)``;
* a network whose layers all fit on the chip at once (sum of ``cores`` <= ``n_cores``) runs
  them concurrently, as the cores advance in lockstep: a network step lasts the slowest
  layer's ``t_step``, a batch takes ``batch x T + D - 1`` steps (``D`` layers: one step of
  propagation each) and every resident neuron is updated in every step. A network that does
  not fit runs layer after layer (each reloaded: ``passes``);
* spikes travel ``(2/3) sqrt(cores)`` mesh hops on average to ``d`` destination cores;
* ``E = events*e_syn + updates*e_neuron(+idle) + packets*(e_spike + hops*e_hop) +
  p_active*T_wall + p_static*T_wall``: the board draws ``p_static`` (W) whenever it is on
  (energy key ``static``) and, while the chip time-steps a loaded network, ``p_active`` (W)
  more whatever the activity: clock tree, barrier synchronisation and the embedded
  management cores (booked under ``compute``, so ``dynamic_energy_per_inference_J`` is the
  energy above the idle board, as measured papers define it);
* host pacing: a sample takes at least ``t_sample_min`` (s) of wall time (a host loop that
  sends inputs and reads outputs at a fixed rate, or a real-time frame rate). When the chip
  is faster, the report gets a last ``host-wait`` entry of that gap, during which only
  ``p_static + p_active`` is drawn.

Bound: ``spikes`` (synaptic processing), ``neuron`` (neuron updates) or ``sync``
(barrier / real-time tick). A preset with a ``calibrated_on`` constant names the published
measurement its static power (``p_static``, and ``p_active`` where there is one) was fitted
to; its reports are then ``"predicted"`` (the model run on a case it was not fitted on),
otherwise ``"bound"`` (per-event energies without a measured static power are a lower bound
on energy).
"""
from __future__ import annotations

import math
from dataclasses import replace

from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._report import LayerResult
from ._workload import Spiking

__all__ = ["NeuromorphicChip"]

_NONNEG_J = Spec("J", lo=0.0, lo_open=False)


class NeuromorphicChip(HardwareModel):
    MODEL = "neuromorphic"
    REQUIRED = {
        "n_cores": Spec("1", kind="int"), "neurons_per_core": Spec("1", kind="int"),
        "axons_per_core": Spec("1", kind="int"), "fanout_cores": Spec("1", kind="int"),
        "synapses_per_core": Spec("1", kind="int"),
        "e_syn": Spec("J"), "e_neuron": _NONNEG_J, "e_neuron_idle": _NONNEG_J,
        "e_spike": _NONNEG_J, "e_hop": _NONNEG_J,
        "t_syn": Spec("s"), "t_neuron": Spec("s"), "t_barrier": Spec("s", lo=0.0, lo_open=False),
        "t_tick_min": Spec("s", lo=0.0, lo_open=False), "p_static": Spec("W", lo=0.0, lo_open=False),
        "p_active": Spec("W", lo=0.0, lo_open=False), "t_sample_min": Spec("s", lo=0.0, lo_open=False),
        "conv_timesteps": Spec("1", kind="int"), "conv_rate": Spec("1", lo=0.0, hi=1.0),
        "area_mm2": Spec("mm^2"),
    }

    def _setup(self):
        if "calibrated_on" in self.preset:
            self.KIND = "predicted"
            self.calibration = (str(self.preset["calibrated_on"]),)

    def peak_ops_per_s(self, dtype="int8"):
        """Dense-equivalent: one synaptic event counted as one MAC (2 ops)."""
        return 2 * self.v["n_cores"] / self.v["t_syn"]

    def dram_bw_Bps(self):
        return 0.0

    def evaluate(self, workload, batch=None):
        """As :meth:`HardwareModel.evaluate`, with the whole-network effects of the module doc:
        resident layers share time steps, and ``t_sample_min`` adds a ``host-wait`` entry."""
        rep = super().evaluate(workload, batch)
        layers = rep.layers
        if sum(l.extra["cores_needed"] for l in layers) <= self.v["n_cores"]:
            layers = self._concurrent(layers, rep.batch)
        gap = self.v["t_sample_min"] * rep.batch - sum(l.latency_s for l in layers)
        if gap > 0:
            layers = [*layers, self._wait(gap)]
        if layers is rep.layers:
            return rep
        rep = replace(rep, layers=list(layers), validation_error={})
        from ._measurements import measurements_for, relative_error
        for m in measurements_for(chip=self.name, workload=rep.workload, batch=rep.batch):
            rep.validation_error[m.name] = relative_error(rep, m)
        return rep

    def _wait(self, gap: float) -> LayerResult:
        """The host-paced idle gap (s): only the board and the running chip draw power."""
        return LayerResult("host-wait", "host", 0.0, 0.0, 0.0, {"sync": gap}, gap, "sync",
                           energy_dict(compute=self.v["p_active"] * gap, static=self.v["p_static"] * gap), 0.0,
                           {"synaptic_events": 0.0, "spikes": 0.0, "cores": 0, "cores_needed": 0, "passes": 0,
                            "timesteps": 0, "relay_neurons": 0})

    def _concurrent(self, layers: list, batch: int) -> list:
        """All layers resident on the chip: every core advances in lockstep, so a step lasts as
        long as the slowest layer's (plus the barrier), the first layer's ``batch x T`` steps
        carry the samples and each later layer adds one step of propagation (pipeline fill);
        every resident neuron is updated in every one of the ``batch x T + D - 1`` steps."""
        v = self.v
        t_step = max(l.extra["t_step"] for l in layers)
        n_first = batch * max(l.extra["timesteps"] for l in layers)
        steps = n_first + len(layers) - 1
        wall = steps * t_step
        out = []
        for i, l in enumerate(layers):
            x = l.extra
            n = n_first if i == 0 else 1
            lat = n * t_step
            times = {"spikes": n * (x["t_syn"] + v["t_barrier"]), "neuron": n * (x["t_neu"] + v["t_barrier"]),
                     "sync": lat}
            own = max(times["spikes"], times["neuron"])
            bound = l.bound if own >= lat * (1 - 1e-12) else "sync"
            e = energy_dict(compute=x["e_events"] + x["neurons_total"] * steps * x["e_update"] + v["p_active"] * lat,
                            interconnect=l.energy_J["interconnect"], static=v["p_static"] * lat)
            util = x["synaptic_events"] / (v["n_cores"] / v["t_syn"] * wall)
            out.append(replace(l, times_s=times, latency_s=lat, bound=bound, energy_J=e, utilisation=util))
        return out

    def mapping(self, n_src: int, neurons: int, fan_in: float, fanout: float) -> dict:
        """Cores a layer needs: ``{"cores", "relay_neurons", "dest_cores"}`` (see module doc)."""
        v = self.v
        npc = v["neurons_per_core"]
        dest = max(1, math.ceil(fanout / npc))
        relay = n_src * max(0, dest - v["fanout_cores"])
        blocks = math.ceil(neurons / npc) * math.ceil(fan_in / v["axons_per_core"])
        cores = max(blocks, math.ceil(neurons * fan_in / v["synapses_per_core"])) + math.ceil(relay / npc)
        return {"cores": cores, "relay_neurons": relay, "dest_cores": dest}

    def _layer(self, layer, batch, first, last):
        v = self.v
        if isinstance(layer, Spiking):
            T, rate = layer.timesteps, layer.rate
            n_src, neurons, fanout = layer.n_in, layer.n_out, layer.fanout
            events = layer.synaptic_events
        else:
            T, rate = v["conv_timesteps"], v["conv_rate"]
            n_src, neurons = layer.inputs, layer.outputs
            fanout = layer.macs / layer.inputs
            events = layer.macs * rate * T
        spikes = rate * n_src * T
        fan_in = n_src * fanout / neurons
        npc = v["neurons_per_core"]
        m = self.mapping(n_src, neurons, fan_in, fanout)
        cores_needed = m["cores"]
        passes = math.ceil(cores_needed / v["n_cores"])
        cores = min(cores_needed, v["n_cores"])
        per_core_neurons = min(npc, math.ceil((neurons + m["relay_neurons"]) / (cores * passes)))
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
        packets = spikes * m["dest_cores"] * batch
        updates = (neurons + m["relay_neurons"]) * T * batch
        active = 1.0 - (1.0 - rate) ** min(fan_in, 1e6)
        e_update = active * v["e_neuron"] + (1 - active) * v["e_neuron_idle"]
        e = energy_dict(compute=events * batch * v["e_syn"] + v["p_active"] * latency + updates * e_update,
                        interconnect=packets * (v["e_spike"] + hops * v["e_hop"]),
                        static=v["p_static"] * latency)
        macs = layer.macs * batch
        util = events * batch / (v["n_cores"] / v["t_syn"] * latency)
        return LayerResult(layer.name, layer.kind, macs, 0.0, 0.0, times, latency, bound, e, util,
                           {"synaptic_events": events * batch, "spikes": spikes * batch, "cores": cores,
                            "cores_needed": cores_needed, "passes": passes, "timesteps": T,
                            "relay_neurons": m["relay_neurons"], "t_step": t_step, "t_syn": t_syn, "t_neu": t_neu,
                            "neurons_total": neurons + m["relay_neurons"], "e_update": e_update,
                            "e_events": events * batch * v["e_syn"]})
