"""``memlab demo``: the main job, every study and the HTML report (memlab.analysis.write_report)."""
from __future__ import annotations

from ._args import nonneg_int


_DESCRIPTION = ("Characterise the built-in models (natively, and against ngspice as residual plots), fit the "
                "Knowm data when a data folder is given (--data or $MEMLAB_DATA), run the array-accuracy studies "
                "and the chip comparison, and write OUT/report.html (one self-contained page: contents, "
                "conclusions, key results by layer, every figure embedded) and OUT/report.json (run id, key "
                "results with units, file list).")


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("demo", description=_DESCRIPTION,
                       help="the main job: characterise, fit, study accuracy, compare chips, write a report")
    s.add_argument("--out", default="out", help="output folder (default ./out)")
    s.add_argument("--data", default=None, metavar="DIR",
                   help="folder of the Knowm W-SDC CSV files (default: $MEMLAB_DATA; without it the fit is skipped)")
    s.add_argument("--quick", action="store_true", help="smaller studies (for tests)")
    s.add_argument("--workers", type=nonneg_int, default=None, help="worker processes for the sweeps (default: CPU count)")
    s.add_argument("--no-spice", action="store_true", help="skip the ngspice comparison")
    s.add_argument("--no-progress", action="store_true", help="no progress bars")
    s.add_argument("--keep-going", action="store_true",
                   help="write the report even when a section fails (the failure becomes a note); by default a "
                        "failing section ends the run with an error and no report")
    s.set_defaults(func=run_demo)


def run_demo(a) -> int:
    from memlab.analysis import write_report

    res = write_report(a.out, quick=a.quick, progress=not a.no_progress, workers=a.workers, spice=not a.no_spice,
                       data=a.data, keep_going=a.keep_going)
    meta = res["report"]
    print(f"memlab demo run {meta['run_id']} ({meta['timestamp_utc']}) -> {a.out}")
    for name, sec in meta["timings_s"].items():
        print(f"  {name}: {sec:.1f} s")
    print(f"wrote {res['files']['html']} and {res['files']['json']} ({len(meta['figures'])} figure files, "
          f"{meta['wall_time_s']:.1f} s)")
    for n in meta["notes"]:
        print(f"note: {n}")
    return 0
