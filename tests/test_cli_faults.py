"""Output faults of the command line (issue 10): a full disk, a read-only file system, a
file-size limit and an output path under a regular file each end ``memlab`` with exit
status 1 and one readable line, no traceback, and the file that was there stays intact.

As root (CI here) the full and read-only file systems are real tmpfs mounts; otherwise the
read-only case uses a folder without write permission and the full disk a file-size limit.
"""
import contextlib
import os
import subprocess
import sys
import uuid

import pytest

ROOT = os.geteuid() == 0
CMD = [sys.executable, "-c", "import sys; from memlab.cli import main; sys.exit(main(sys.argv[1:]))"]
# compare writes a CSV, a Markdown table and two PNG plots (about 100 kB in all)
COMPARE = ["compare", "lenet5", "--chips", "A100,ISAAC"]


def run(args, *, fsize=None, cwd=None):
    def limit():
        if fsize is not None:
            import resource
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run(CMD + args, capture_output=True, text=True, timeout=300, preexec_fn=limit, cwd=cwd)


@contextlib.contextmanager
def tmpfs(path, size):
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", f"memlab-test-{uuid.uuid4().hex[:8]}",
                    str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def mounted_out(tmp_path, name, size, old):
    """An output folder ``out`` on a fresh tmpfs of ``size``, holding an old compare table."""
    with tmpfs(tmp_path / name, size) as d:
        (d / "out").mkdir()
        (d / "out" / "lenet5_compare.csv").write_bytes(old)
        yield d, d / "out"


def one_line_error(p):
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    return p.returncode == 1 and len(lines) == 1 and lines[0].startswith("memlab: error:") \
        and "Traceback" not in p.stderr


def test_full_disk(tmp_path):
    old = b"old table\n"
    if ROOT:
        with mounted_out(tmp_path, "full", "40k", old) as (_, out):
            p = run(COMPARE + ["--out", str(out)])
            assert one_line_error(p), p.stderr
            assert "No space left on device" in p.stderr
            # the small CSV may have been replaced whole before the plots ran out of space: old or new, never cut
            got = (out / "lenet5_compare.csv").read_bytes()
            assert got == old or (got.startswith(b"chip,kind,") and got.endswith(b"\n"))
            assert not [f for f in out.iterdir() if f.name.endswith(".tmp")]   # no temp file left
    else:
        (tmp_path / "out").mkdir()
        p = run(COMPARE + ["--out", str(tmp_path / "out")], fsize=20_000)
        assert one_line_error(p), p.stderr


def test_file_size_limit_keeps_the_old_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    old = b"old plot"
    (out / "lenet5_roofline.png").write_bytes(old)
    p = run(COMPARE + ["--out", str(out)], fsize=20_000)      # the PNGs are larger than 20 kB
    assert one_line_error(p), p.stderr
    assert "File too large" in p.stderr
    assert (out / "lenet5_roofline.png").read_bytes() == old   # atomic write: the old file is intact


def test_read_only_output(tmp_path):
    old = b"old table\n"
    if ROOT:
        with mounted_out(tmp_path, "ro", "1m", old) as (d, out):
            subprocess.run(["mount", "-o", "remount,ro", str(d)], check=True)
            p = run(COMPARE + ["--out", str(out)])
            assert one_line_error(p), p.stderr
            assert "Read-only file system" in p.stderr
            assert (out / "lenet5_compare.csv").read_bytes() == old
    else:
        d = tmp_path / "ro"
        d.mkdir()
        (d / "lenet5_compare.csv").write_bytes(old)
        d.chmod(0o555)
        try:
            p = run(COMPARE + ["--out", str(d)])
        finally:
            d.chmod(0o755)
        assert one_line_error(p), p.stderr
        assert (d / "lenet5_compare.csv").read_bytes() == old


@pytest.mark.parametrize("out", ["file.txt/sub", "file.txt"])
def test_output_under_or_onto_a_regular_file(tmp_path, out):
    (tmp_path / "file.txt").write_text("keep me")
    p = run(COMPARE + ["--out", str(tmp_path / out)])
    assert one_line_error(p), p.stderr
    assert (tmp_path / "file.txt").read_text() == "keep me"
