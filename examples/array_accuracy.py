"""Array accuracy in a few lines: MVM error against wire resistance, and the digits network
on crossbars with a 4-bit ADC. Run: python examples/array_accuracy.py"""
from memlab.analysis import accuracy_study, dnn_accuracy_point

# MVM error of a 64x64 weight matrix on crossbars, wire resistance 0.1 .. 5 ohm per segment
study = accuracy_study("mvm", "r_wire", [0.1, 0.5, 1.0, 5.0], repeats=2, out_dir="accuracy_example")
for row in study["summary"]:
    print(f"r_wire = {row['r_wire']:4} ohm: MVM error {100 * row['rel_error_mean']:.2f} %")
print("figure:", study["files"]["png"])

# a 64-64-10 MLP trained on scikit-learn's digits, every layer on crossbars
res = dnn_accuracy_point(adc_bits=4, r_wire=1.0, spread=0.05, seed=0)
print(f"software {100 * res['baseline']:.2f} %, on crossbars (4-bit ADC, 1 ohm wires, 5 % spread) "
      f"{100 * res['accuracy']:.2f} %")
