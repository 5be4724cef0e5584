"""cache_dir() under concurrency (issue 10): every call of every process gets the same folder."""
import multiprocessing as mp
import os

from memlab.devices._codegen import cache_dir


def _calls(n):
    return {str(cache_dir()) for _ in range(n)}


def test_concurrent_calls_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMLAB_CACHE_DIR", str(tmp_path / "k"))
    ctx = mp.get_context("fork")
    with ctx.Pool(6) as pool:
        seen = set().union(*pool.map(_calls, [300] * 6))
    assert seen == {str(tmp_path / "k")}
    assert list((tmp_path / "k").iterdir()) == []        # no probe left behind


def test_unwritable_cache_dir_falls_back(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")                               # a regular file: cannot hold a folder
    monkeypatch.setenv("MEMLAB_CACHE_DIR", str(blocker / "k"))
    assert cache_dir() != blocker / "k" and os.access(cache_dir(), os.W_OK)
