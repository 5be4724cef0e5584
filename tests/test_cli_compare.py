"""`memlab compare` (issue 12): snn_mnist is accepted, the help suggests only workloads that
exist, and the chips listed are exactly the chips accepted."""
import re

import pytest

from memlab import accel
from memlab.cli import main
from memlab.cli._compare import EXAMPLES


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_snn_mnist(tmp_path, capsys):
    # failed before: "workload 'snn_mnist' is neither a Workload, a zoo name ..."
    code, out, err = run(["compare", "snn_mnist", "--chips", "Loihi,A100", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "Loihi" in out and (tmp_path / "snn_mnist_compare.csv").exists()


def test_help_suggests_only_existing_workloads(capsys):
    # the help used to suggest 'mlp', which is not a zoo name
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    suggested = re.search(r"e\.g\. ([^;)]*)", help_text).group(1)
    names = [n.strip() for n in suggested.split(",")]
    assert names == list(EXAMPLES)
    assert all(n in accel.zoo_names() for n in names)
    assert "mlp," not in help_text and "mlp)" not in help_text


def test_listed_chips_are_the_accepted_chips(tmp_path, capsys):
    # 'dark-silicon-45nm' was listed as a known preset and then refused; now --list prints
    # the chips make_chip accepts, and every listed chip and workload runs
    code, out, _ = run(["compare", "--list"], capsys)
    assert code == 0
    lines = dict(l.split(": ", 1) for l in out.splitlines())
    chips = lines["chips"].split(", ")
    assert "dark-silicon-45nm" not in chips and chips == accel.chip_names()
    workloads = lines["workloads"].split(", ")
    assert "snn_mnist" in workloads and "mlp" not in workloads
    for w in workloads:
        accel.get_workload(w)
    code, out, err = run(["compare", "lenet5", "--chips", ",".join(chips), "--out", str(tmp_path)], capsys)
    assert code == 0, err


def test_refused_chip_error_lists_only_accepted_chips(tmp_path, capsys):
    code, out, err = run(["compare", "lenet5", "--chips", "dark-silicon-45nm", "--out", str(tmp_path)], capsys)
    assert code != 0
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and "not a workload chip" in lines[0]
    listed = lines[0].split("chip presets:")[1]
    assert "dark-silicon-45nm" not in listed and "A100" in listed


def test_missing_workload_is_a_usage_error(capsys):
    code, out, err = run(["compare"], capsys)
    assert code == 2 and "WORKLOAD" in err and len(err.strip().splitlines()) == 1


def test_unknown_chip_error_lists_only_accepted_chips(tmp_path, capsys):
    # before: "unknown preset ...; known presets: [..., 'dark-silicon-45nm', ...]", a list
    # holding a preset compare then refuses
    code, out, err = run(["compare", "lenet5", "--chips", "A1000", "--out", str(tmp_path)], capsys)
    assert code != 0 and "unknown preset" in err
    assert "dark-silicon-45nm" not in err and "'A100'" in err
