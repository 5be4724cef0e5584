"""IR drop and sneak paths in a memristor crossbar, and the resulting analog MVM error.

Run: python examples/crossbar_ir_drop.py  (writes crossbar_ir_drop.png)
"""
import numpy as np

from memlab.arrays import AnalogMatrix, Crossbar, ProgrammingNoise, ReadNoise, write_scheme
from memlab.devices import SinhConductance


def main():
    rng = np.random.default_rng(0)
    n = 128
    G = rng.uniform(1e-6, 1e-4, (n, n))                 # S
    v = np.full(n, 0.2)                                 # V on every word line
    for r_wire in (0.0, 1.0, 5.0):                      # ohm per segment
        xb = Crossbar(G, r_row=r_wire, r_col=r_wire, r_driver=1.0, r_sense=1.0)
        s = xb.solve(v)
        loss = 1 - s.i_out.sum() / (G.T @ v).sum()
        print(f"r_wire = {r_wire:3.1f} ohm: output current {s.i_out.sum() * 1e3:7.3f} mA, "
              f"IR-drop loss {loss * 100:5.2f} %, {s.method}, KCL residual {s.residual:.1e}")
    nl = Crossbar(G, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0, cell=SinhConductance(v0=0.25)).solve(v)
    print(f"sinh cells: output current {nl.i_out.sum() * 1e3:.3f} mA after {nl.newton_steps} Newton steps")

    W = rng.uniform(-1, 1, (32, 64))
    x = rng.uniform(-1, 1, (64, 100))
    for label, kw in [("ideal wires, 6-bit weights, 8-bit ADC", dict(weight_bits=6, adc_bits=8)),
                      ("+ 2 ohm wires", dict(weight_bits=6, adc_bits=8, r_row=2.0, r_col=2.0)),
                      ("+ programming and read noise", dict(weight_bits=6, adc_bits=8, r_row=2.0, r_col=2.0,
                                                            nonidealities=[ProgrammingNoise(0.02), ReadNoise(0.01)],
                                                            seed=1))]:
        rep = AnalogMatrix(W, **kw).compare(x)
        print(f"MVM {label:<40} relative error {rep.relative_error:.2e}, SNR {rep.snr_db:5.1f} dB")

    wr = write_scheme(Crossbar(G[:32, :32], r_row=2.0, r_col=2.0, r_driver=5.0, r_sense=5.0), 0, 31, 2.0,
                      scheme="V/3")
    print(f"V/3 write of cell (0, 31) at 2 V: selected cell sees {wr.v_selected:.3f} V, worst half-selected "
          f"{wr.v_half_max:.3f} V, sneak current {wr.sneak_current * 1e3:.3f} mA")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    s = Crossbar(G, r_row=5.0, r_col=5.0, r_driver=1.0, r_sense=1.0).solve(v)
    fig, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(s.v_cell, origin="upper", cmap="viridis")
    ax.set_xlabel("column (bit line)")
    ax.set_ylabel("row (word line)")
    ax.set_title("cell voltage with 5 ohm wire segments")
    fig.colorbar(im, ax=ax, label="cell voltage (V)")
    fig.tight_layout()
    fig.savefig("crossbar_ir_drop.png", dpi=120)
    print("wrote crossbar_ir_drop.png")


if __name__ == "__main__":
    main()
