"""The ``memlab`` command line, the top of the layering (it may import every layer; nothing
imports it).

Subcommands: ``iv``, ``fit`` (:mod:`._device`), ``xbar``, ``accuracy`` (:mod:`._array`),
``map`` (:mod:`._map`), ``compare`` (:mod:`._compare`), ``sweep`` (:mod:`._sweep`), ``demo`` (:mod:`._demo`);
``memlab SUBCOMMAND --help`` documents each. Command modules parse and print; the work is
done by the library (memlab.analysis, memlab.accel, memlab.sweep), imported when a command
runs, so ``memlab --help`` stays fast. Bad arguments and every
:class:`~memlab.errors.MemlabError` end the program with one readable line on stderr and a
non-zero exit status (2 for usage errors, 1 for errors found while running), no traceback.
Physical options are SI (V, Hz, ohm, S) unless the option name says otherwise.
"""
from __future__ import annotations

import argparse
import sys

from . import _array, _compare, _demo, _device, _map, _program, _sweep
from ._args import Parser, UsageError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The ``memlab`` argument parser (one subparser per command)."""
    p = Parser(prog="memlab", description="memlab: circuit-level modelling of memristors and the AI hardware "
               "built from them. All inputs are SI units (V, Hz, ohm, S, s).")
    from memlab._version import __version__
    p.add_argument("--version", action="version", version=f"memlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in (_device, _array, _map, _compare, _sweep, _demo, _program):
        module.register(sub)
    return p


def main(argv=None) -> int:
    """Entry point of the ``memlab`` command; returns the exit status."""
    from memlab.errors import MemlabError

    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except UsageError as err:
        print(str(err), file=sys.stderr)
        return 2
    except MemlabError as err:
        print(f"memlab: error: {err}".splitlines()[0], file=sys.stderr)
        return 1
    except OSError as err:        # disk full, read-only file system, not a directory, file-size limit ...
        where = f": '{err.filename}'" if err.filename else ""
        print(f"memlab: error: {err.strerror or err}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("memlab: interrupted (finished sweep points are saved; run again to resume)", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
