"""memlab._io: atomic writes keep the user's umask; read_text names the file for every failure."""
import os
import stat

import pytest

from memlab._io import atomic_write_text, file_mode, read_text
from memlab.errors import ConfigError, DataFormatError


@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_uses_the_umask(tmp_path, mask, expected):
    old = os.umask(mask)
    try:
        assert file_mode() == expected
        p = atomic_write_text(tmp_path / "a.txt", "x")
        plain = tmp_path / "plain.txt"
        plain.write_text("x")                  # what open() gives: the independent reference
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == expected == stat.S_IMODE(plain.stat().st_mode)


def test_atomic_write_replaces_whole_file(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("old")
    atomic_write_text(p, "new")
    assert p.read_text() == "new" and [f.name for f in tmp_path.iterdir()] == ["t.txt"]


def test_read_text_failures_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        read_text(tmp_path, "sweep config")
    with pytest.raises(ConfigError, match="does not exist"):
        read_text(tmp_path / "none.yaml", "sweep config")
    b = tmp_path / "b.yaml"
    b.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(DataFormatError, match=r"sweep config '.*b.yaml' is not a UTF-8 text file"):
        read_text(b, "sweep config")
    if os.geteuid() != 0:                      # root reads files whatever their mode
        u = tmp_path / "u.yaml"
        u.write_text("a: 1")
        u.chmod(0)
        with pytest.raises(ConfigError, match="cannot be read"):
            read_text(u, "sweep config")
