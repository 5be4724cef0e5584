"""The source cache of the generated kernel modules (memlab.devices._codegen.module_source).

Printing a model's kernel module (sympy's CSE over the integrator's six expressions) took
JART 16 s in every process; the source is now kept in the cache folder under a key of
everything it depends on. These tests check that a second call reads the file instead of
printing, that the key changes with each thing the source depends on, and that what is read
back is what the printer prints.
"""
import os

import pytest

from memlab.devices import TEAM, VTEAM
from memlab.devices import _codegen


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMLAB_CACHE_DIR", str(tmp_path))
    return tmp_path


def _printer_forbidden(*args):
    raise AssertionError("the source was printed again instead of being read from the cache")


def test_printed_once_then_read_back(cache, monkeypatch):
    k = VTEAM()._k
    src = _codegen.module_source(k.label, k)
    path = cache / f"memlab_src_{_codegen.source_key(k.label, k)}.py"
    assert path.read_text() == src
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask          # the user's umask, not mkstemp's 0600
    monkeypatch.setattr(_codegen, "_print_module", _printer_forbidden)
    assert _codegen.module_source(k.label, k) == src
    assert VTEAM().kernel_source == src                            # a new model object with the same equations


def test_read_back_equals_a_fresh_print(cache):
    k = TEAM(window="kvatinsky")._k
    first = _codegen.module_source(k.label, k)
    assert _codegen.module_source(k.label, k) == first == _codegen._print_module(k.label, k)


def test_key_follows_the_expressions_the_options_and_the_generator(cache, monkeypatch):
    plain, windowed = VTEAM()._k, VTEAM(window="joglekar")._k
    keys = {_codegen.source_key(k.label, k) for k in (plain, windowed)}
    assert len(keys) == 2
    assert _codegen.module_source(plain.label, plain) != _codegen.module_source(windowed.label, windowed)
    before = _codegen.source_key(plain.label, plain)
    assert _codegen.source_key(plain.label + " ", plain) != before                 # the label is printed
    monkeypatch.setattr(_codegen, "_GENERATOR_TAG", "another generator")
    assert _codegen.source_key(plain.label, plain) != before


def test_a_damaged_cache_file_is_printed_again(cache):
    k = VTEAM()._k
    path = cache / f"memlab_src_{_codegen.source_key(k.label, k)}.py"
    path.write_bytes(b"\xff\xfe not utf-8")
    src = _codegen.module_source(k.label, k)
    assert src == _codegen._print_module(k.label, k) and path.read_text() == src
