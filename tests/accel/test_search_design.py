"""Evolutionary design search (NSGA-II, pymoo) of a PIM chip for a mapped network: it finds the
Pareto front that exhaustive enumeration of a small space gives, seeded and reproducibly."""
import warnings

import numpy as np
import pytest

from memlab import accel
from memlab.errors import ConfigError, ParameterError
from memlab.networks import map_network

SPACE = {"rows": [32, 64, 128], "adc_bits": [4, 6, 8], "tiles": [1, 8],
         "weight_mapping": ["differential", "offset"], "adc_rate": [0.6e9, 1.2e9]}


@pytest.fixture(scope="module")
def problem(digits_mlp):
    return digits_mlp(100)


@pytest.fixture(scope="module")
def exhaustive(problem):
    net, x, y = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return accel.design_search(net, x, y, space=SPACE, method="exhaustive")


def _front(rows, keys=("energy_J", "latency_s", "error")):
    """Non-dominated rows, by definition (written here, independent of pymoo)."""
    F = np.array([[r[k] for k in keys] for r in rows])
    keep = [not np.any(np.all(F <= f, axis=1) & np.any(F < f, axis=1)) for f in F]
    return [r for r, k in zip(rows, keep) if k]


def test_exhaustive_front_is_the_definition(exhaustive):
    assert exhaustive.n_evaluations == 3 * 3 * 2 * 2 * 2
    key = lambda r: tuple(r[k] for k in SPACE)  # noqa: E731
    assert sorted(map(key, exhaustive.front)) == sorted(map(key, _front(exhaustive.evaluated)))
    assert len(exhaustive.front) >= 2


def test_nsga2_finds_the_enumerated_front(problem, exhaustive):
    # 12 designs x 5 generations (at most 60 evaluations, duplicates computed once) of the 72:
    # every point of the enumerated front is matched or dominated by a point the GA found
    net, x, y = problem
    state = np.random.get_state()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ga = accel.design_search(net, x, y, space=SPACE, population=12, generations=5, seed=1)
        again = accel.design_search(net, x, y, space=SPACE, population=12, generations=5, seed=1)
    assert ga.n_evaluations < exhaustive.n_evaluations
    objs = ("energy_J", "latency_s", "error")
    for p in exhaustive.front:
        assert any(all(q[k] <= p[k] * (1 + 1e-12) for k in objs) for q in ga.front), p
    # seeded: the same designs in the same order; numpy's global random state is left alone
    assert [tuple(r[k] for k in SPACE) for r in ga.evaluated] == [tuple(r[k] for k in SPACE) for r in again.evaluated]
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
               for a, b in zip(state, np.random.get_state()))


def test_front_table_and_plot(exhaustive, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    md = exhaustive.to_markdown()
    assert md.count("\n|") == len(exhaustive.front) + 1 and "energy_J" in md
    ax = exhaustive.plot()
    assert ax.get_xlabel() == "latency of one inference (s)" and ax.get_ylabel() == "energy per inference (J)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["evaluated designs", "Pareto front"]
    ax.figure.savefig(tmp_path / "front.png")
    assert (tmp_path / "front.png").stat().st_size > 0


def test_mapped_network_is_remapped_and_bad_space_refused(problem):
    net, x, y = problem
    m = map_network(net, tile=(64, 64), calibration=x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = accel.design_search(m, x, y, space={"adc_bits": [4, 8]}, method="exhaustive")
    assert r.n_evaluations == 2 and r.network == net.name
    with pytest.raises(ConfigError, match="unknown entry 'colour'"):
        accel.design_search(net, x, y, space={"colour": [1, 2]})
    with pytest.raises(ConfigError, match="non-empty list"):
        accel.design_search(net, x, y, space={"rows": []})
    with pytest.raises(ConfigError, match="not a PIM chip"):
        accel.design_search(net, x, y, space={"rows": [64]}, chip="V100")
    with pytest.raises(ConfigError, match="parameter 'y' = None"):
        accel.design_search(net, x, None, space={"rows": [64]})
    with pytest.raises(ParameterError, match="parameter 'population'"):
        accel.design_search(net, x, y, space={"rows": [64]}, population=0)
    with pytest.raises(ParameterError, match="parameter 'seed'"):
        accel.design_search(net, x, y, space={"rows": [64]}, seed=-1)
