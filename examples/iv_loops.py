"""I-V loops of a memristor model, native solver and ngspice overlaid (PNG + SVG), with the
loop fingerprints. Run: python examples/iv_loops.py [model]   (default: mss)"""
import sys

from memlab.analysis import iv_traces, lobe_areas, pinch, plot_iv_overlay

model = sys.argv[1] if len(sys.argv) > 1 else "mss"
traces = iv_traces(model, spice=True)            # drive and x0: the model class's iv_demo
files = plot_iv_overlay(traces, f"iv_{model}")
for name, tr in traces.items():
    print(f"{name:8}: pinch ratio {pinch(tr).ratio:.1e}, lobe areas {lobe_areas(tr)} W")
print("wrote", *files.values())
