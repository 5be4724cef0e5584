"""compare(): table, CSV/Markdown and plots written atomically."""
import csv
import io

import pytest

from memlab import accel


def test_compare_writes_files(tmp_path):
    chips = ["V100", "TPU-v1", "ISAAC", "Loihi"]
    t = accel.compare_chips("lenet5", chips=chips, out_dir=tmp_path)
    assert [r["chip"] for r in t.rows] == chips
    assert set(t.files) == {"csv", "md", "roofline", "energy"}
    rows = list(csv.DictReader(io.StringIO(t.files["csv"].read_text())))
    assert [r["chip"] for r in rows] == chips
    assert float(rows[0]["latency_s"]) == pytest.approx(t.rows[0]["latency_s"], rel=1e-12)
    md = t.files["md"].read_text()
    assert md.count("\n|") >= len(chips) + 1 and "ISAAC" in md
    for k in ("roofline", "energy"):
        assert t.files[k].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # atomic writes leave no temporary files behind
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["lenet5_compare.csv", "lenet5_compare.md", "lenet5_roofline.png", "lenet5_energy.png"])
    assert "lenet5" in str(t)


def test_compare_overrides_and_best():
    t = accel.compare_chips("mlp_mnist", chips=["ISAAC"], overrides={"ISAAC": {"r_wire": 1.4}})
    t0 = accel.compare_chips("mlp_mnist", chips=["ISAAC"])
    assert t.rows[0]["latency_s"] > t0.rows[0]["latency_s"]
    t2 = accel.compare_chips("resnet18", chips=["Haswell-E5-2699v3", "H100"])
    assert t2.best("latency_s") == "H100"


def test_plot_functions_return_artists():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    _, reps = accel.evaluate_all("lenet5", chips=["A100", "ZC706-Qiu16"])
    fig, ax = plt.subplots()
    arts = accel.plot_roofline(reps, ax=ax)
    assert len(arts) == 6               # per chip: roof line, direct label, layer points
    assert "op/s" in ax.get_ylabel() and "byte" in ax.get_xlabel()
    fig2, ax2 = plt.subplots()
    bars = accel.plot_energy_breakdown(reps, ax=ax2)
    assert bars
    plt.close("all")


def test_atomic_write_replaces(tmp_path):
    # the atomic writes accel.compare_chips uses (one home: memlab._io; accel no longer re-exports them)
    from memlab._io import atomic_write_text
    p = tmp_path / "x.txt"
    atomic_write_text(p, "one")
    atomic_write_text(p, "two")
    assert p.read_text() == "two"
    assert [q.name for q in tmp_path.iterdir()] == ["x.txt"]


def test_plots_are_readable_and_say_which_numbers_are_bounds():
    # issue 12: <= ~8 legend entries per plot (or direct labels), units on totals, and the
    # figures say which numbers are bounds. Every default chip (10) on one plot.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    _, reps = accel.evaluate_all("resnet18")
    assert len(reps) == len(accel.DEFAULT_CHIPS) >= 10
    fig, ax = plt.subplots()
    accel.plot_roofline(reps, ax=ax)
    assert len(ax.get_legend().get_texts()) <= 8
    labels = [t.get_text() for t in ax.texts]
    for r in reps:                      # each chip labelled directly, with its estimate kind
        assert f"{r.chip} [{r.kind}]" in labels
    assert "bound" in ax.get_title()
    fig2, ax2 = plt.subplots()
    accel.plot_energy_breakdown(reps, ax=ax2)
    assert len(ax2.get_legend().get_texts()) <= 8
    ticks = [t.get_text() for t in ax2.get_xticklabels()]
    assert "Haswell-E5-2699v3 [bound]" in ticks and "A100 [predicted]" in ticks
    assert all(t.get_text().endswith("J") for t in ax2.texts)        # totals carry their unit
    plt.close("all")


def test_table_shows_estimate_kind_units_and_measured_error():
    t = accel.compare_chips("resnet50", chips=["A100-PCIe", "Haswell-E5-2699v3"], batch=1)
    md = t.to_markdown()
    assert "| estimate |" in md and " W |" in md and "J |" in md and "inf/s |" in md   # units in every total
    assert "bound" in md and "predicted" in md and "optimistic limit" in md
    a100 = t.rows[0]
    assert a100["estimate"] == "predicted" and abs(a100["validation_error"]) < 0.25
