"""Shared pieces of the command modules: argument types (each converts one option's text or
raises :class:`argparse.ArgumentTypeError` with a one-line message naming the value and the
allowed range), :class:`Parser` (argparse errors become :class:`UsageError`) and
:func:`print_written`."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

__all__ = ["UsageError", "Parser", "int_at_least", "positive_int", "nonneg_int", "float_in", "existing_file",
           "existing_path",
           "assignment", "value_list", "print_written"]


class UsageError(Exception):
    """A bad command line (exit status 2); the message is one line."""


class Parser(argparse.ArgumentParser):
    """argparse parser whose errors are one line (no usage block) and never exit directly."""

    def error(self, message):  # noqa: D401 - argparse API
        raise UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def int_at_least(lo: int):
    """argparse type: an integer >= ``lo`` (one-line error otherwise)."""
    def conv(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"{v} is outside the allowed range: integer >= {lo}")
        return v
    conv.__name__ = "integer"
    return conv


positive_int = int_at_least(1)
nonneg_int = int_at_least(0)


def float_in(lo=None, hi=None, lo_open=False):
    """argparse type: a finite number in [lo, hi] (``lo_open``: lo excluded; None: unbounded)."""
    def conv(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{text!r} is not finite")
        if lo is not None and (v < lo or (lo_open and v == lo)):
            raise argparse.ArgumentTypeError(f"{v:g} is outside the allowed range {'(' if lo_open else '['}{lo:g}, "
                                             f"{'inf)' if hi is None else f'{hi:g}]'}")
        if hi is not None and v > hi:
            raise argparse.ArgumentTypeError(f"{v:g} is outside the allowed range [{lo:g}, {hi:g}]")
        return v
    conv.__name__ = "number"
    return conv


def existing_file(text, *, folder_ok: bool = False):
    """argparse type: an existing file (``folder_ok``: or folder) as a Path."""
    p = Path(text)
    if not (p.is_file() or (folder_ok and p.is_dir())):
        raise argparse.ArgumentTypeError(f"{'file or folder' if folder_ok else 'file'} '{text}' does not exist")
    return p


def existing_path(text):
    """argparse type: an existing file or folder as a Path."""
    return existing_file(text, folder_ok=True)


def assignment(text):
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=VALUE")
    k, v = text.split("=", 1)
    k = k.strip()
    if not k:
        raise argparse.ArgumentTypeError(f"{text!r} has an empty NAME")
    import yaml
    try:
        val = yaml.safe_load(v)
    except yaml.YAMLError:
        val = v
    return k, val


def value_list(text):
    import yaml
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(yaml.safe_load(part))
        except yaml.YAMLError:
            out.append(part)
    if not out:
        raise argparse.ArgumentTypeError(f"{text!r} gives no values (comma-separated list expected)")
    return out


def print_written(files: dict) -> None:
    """One ``wrote PATH`` line per output file."""
    for p in files.values():
        print(f"wrote {p}")
