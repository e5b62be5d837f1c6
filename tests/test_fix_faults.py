"""`perfspec fix` under faults: a full disk, a kill half-way through writing, read-only files and folders.

tests/test_fix.py already covers a read-only file (mode bits), a refused rename and
an I/O error or Ctrl-C at fsync; these are the faults it does not. In every case
the original file keeps every byte, no temporary file is left behind (but after
a real SIGKILL, which no program can clean up after), and the message names the
file and says, in Chinese, what happened.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

SPECS = os.path.join(ROOT, "specs", "2023")
NAME = "it-operations.yaml"


def read(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def good() -> bytes:
    return read(os.path.join(SPECS, NAME))


def broken_copy(folder, name: str = NAME):
    """The bundled form with a wrong execution rate: fix has something to write."""
    path = folder / name
    path.write_bytes(good().replace(b"  rate: 99.62", b"  rate: 1.00", 1))
    os.utime(path, (1_000_000_000, 1_000_000_000))
    return path, read(path)


def leftovers(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


def assert_untouched(path, before: bytes) -> None:
    assert read(path) == before
    assert os.stat(path).st_mtime == 1_000_000_000
    assert leftovers(path.parent) == []


class _Half:
    """A file whose write puts half of the bytes on disk and then fails as `fault` says."""

    def __init__(self, handle, fault: BaseException, where: str) -> None:
        self.handle, self.fault, self.where = handle, fault, where

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        if self.where == "write":
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise self.fault
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()
        if self.where == "flush":
            raise self.fault

    def fileno(self) -> int:
        return self.handle.fileno()


def inject(monkeypatch, fault: BaseException, where: str, times: int = 1) -> list[int]:
    """Make the next `times` temporary files fail at `where` (write or flush)."""
    real = os.fdopen
    calls: list[int] = []

    def fdopen(fd, *args, **kwargs):
        handle = real(fd, *args, **kwargs)
        calls.append(fd)
        return _Half(handle, fault, where) if len(calls) <= times else handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    return calls


def enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def fail_temp_creation(monkeypatch, fault: OSError) -> None:
    """Creating the temporary file fails: perfspec.outputs.writer creates it with os.open(..., O_EXCL)."""
    real = os.open

    def open_(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and flags & os.O_EXCL:
            raise fault
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


# -- a full disk ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["write", "flush"])
def test_a_full_disk_while_writing_keeps_the_original(tmp_path, monkeypatch, where: str) -> None:
    path, before = broken_copy(tmp_path)
    calls = inject(monkeypatch, enospc(), where)
    result = run_cli("fix", str(path))
    assert calls, "the temporary file was never opened"
    assert result.code == 2 and result.out == ""
    assert result.err == f"perfspec fix: {path}: 写入失败（磁盘已满：{os.strerror(errno.ENOSPC)}），未修改（原文件保持不变）\n"
    assert_untouched(path, before)


def test_a_full_disk_at_fsync_keeps_the_original(tmp_path, monkeypatch) -> None:
    path, before = broken_copy(tmp_path)

    def fsync(fd):
        raise enospc()

    monkeypatch.setattr(os, "fsync", fsync)
    result = run_cli("fix", "--lang", "en", str(path))
    assert result.code == 2
    assert result.err == (
        f"perfspec fix: {path}: writing failed ({os.strerror(errno.ENOSPC)}); not changed (the original is intact)\n"
    )
    assert_untouched(path, before)


def test_a_full_disk_when_the_temporary_file_is_created(tmp_path, monkeypatch) -> None:
    path, before = broken_copy(tmp_path)
    fail_temp_creation(monkeypatch, enospc())
    result = run_cli("fix", str(path))
    assert result.code == 2 and str(path) in result.err and "磁盘已满" in result.err and "原文件保持不变" in result.err
    assert_untouched(path, before)


def test_a_full_disk_stops_one_file_not_the_run(tmp_path, monkeypatch) -> None:
    first, before = broken_copy(tmp_path, "a.yaml")
    second, _ = broken_copy(tmp_path, "b.yaml")
    inject(monkeypatch, enospc(), "write", times=1)
    result = run_cli("fix", str(first), str(second))
    assert result.code == 2
    assert result.err.splitlines() == [f"perfspec fix: {first}: 写入失败（磁盘已满：{os.strerror(errno.ENOSPC)}），未修改（原文件保持不变）"]
    assert result.out.startswith(f"已修正 {second}：")
    assert read(first) == before and read(second) == good()
    assert leftovers(tmp_path) == []


# -- killed half-way ------------------------------------------------------------------------


@pytest.mark.parametrize("signal_as", [KeyboardInterrupt(), SystemExit(143)], ids=["SIGINT", "SIGTERM"])
def test_interrupted_half_way_through_writing(tmp_path, monkeypatch, signal_as: BaseException) -> None:
    """A signal that Python turns into an exception: the temporary file is removed on the way out."""
    path, before = broken_copy(tmp_path)
    inject(monkeypatch, signal_as, "write")
    if isinstance(signal_as, KeyboardInterrupt):
        assert run_cli("fix", str(path)).code == 130  # Ctrl-C: a message, exit 130, no traceback
    else:
        assert run_cli("fix", str(path)).code == 143
    assert_untouched(path, before)


_KILLED_HALF_WAY = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[1])
real = os.fdopen

class Half:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.handle.close()
    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # no finally, no cleanup: the process is gone

os.fdopen = lambda fd, *args, **kwargs: Half(real(fd, *args, **kwargs))
from perfspec.cli import main
sys.exit(main(["fix", sys.argv[2]]))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on this system")
def test_killed_half_way_through_writing(tmp_path) -> None:
    """A real SIGKILL mid-write: the original is intact; only a hidden temporary file remains."""
    path, before = broken_copy(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_HALF_WAY, ROOT, str(path)], capture_output=True, timeout=60, cwd=tmp_path
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert read(path) == before and os.stat(path).st_mtime == 1_000_000_000
    [temp] = leftovers(tmp_path)  # nothing can remove it after SIGKILL
    assert temp.startswith(".ps-") and temp.endswith(".tmp") and len(temp) == len(".ps-12345678.tmp")
    assert 0 < len(read(tmp_path / temp)) < len(good())
    # The leftover is not taken for a form, and the next run fixes the file.
    check = run_cli("check", "--format", "json", str(tmp_path))
    assert '"files": 1' in check.out
    assert run_cli("fix", str(path)).code == 1 and read(path) == good()


# -- read-only ------------------------------------------------------------------------------


def test_a_read_only_file_behind_a_symlink_is_refused(tmp_path) -> None:
    path, before = broken_copy(tmp_path)
    path.chmod(0o444)
    link = tmp_path / "link.yaml"
    link.symlink_to(path)
    result = run_cli("fix", str(link))
    assert result.code == 2
    assert result.err == f"perfspec fix: {link}: 文件是只读的，未修改（原文件保持不变）\n"
    assert read(path) == before and link.is_symlink()


def test_a_read_only_file_stops_one_file_not_the_run(tmp_path) -> None:
    first, before = broken_copy(tmp_path, "a.yaml")
    second, _ = broken_copy(tmp_path, "b.yaml")
    first.chmod(0o400)
    result = run_cli("fix", str(tmp_path))
    assert result.code == 2 and "a.yaml: 文件是只读的" in result.err and "b.yaml" in result.out
    assert read(first) == before and stat.S_IMODE(os.stat(first).st_mode) == 0o400
    assert read(second) == good()


@pytest.mark.parametrize(
    "where,code,zh",
    [("create", errno.EACCES, "没有写入权限"), ("create", errno.EROFS, "文件系统是只读的"), ("replace", errno.EROFS, "文件系统是只读的")],
    ids=["read-only-folder", "read-only-file-system", "read-only-at-rename"],
)
def test_a_read_only_folder_or_file_system(tmp_path, monkeypatch, where: str, code: int, zh: str) -> None:
    """Simulated: root may write in a folder whatever its mode, and tmp is not read-only."""
    path, before = broken_copy(tmp_path)

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    if where == "create":
        fail_temp_creation(monkeypatch, OSError(code, os.strerror(code)))
    else:
        monkeypatch.setattr(os, where, refuse)
    result = run_cli("fix", str(path))
    assert result.code == 2 and result.out == ""
    [line] = result.err.splitlines()
    assert line.startswith(f"perfspec fix: {path}: ") and zh in line and os.strerror(code) in line
    assert line.endswith("未修改（原文件保持不变）")
    assert_untouched(path, before)


def test_a_failing_chmod_of_the_new_file_keeps_the_original(tmp_path, monkeypatch) -> None:
    path, before = broken_copy(tmp_path)

    def chmod(*args, **kwargs):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "chmod", chmod)
    result = run_cli("fix", str(path))
    assert result.code == 2 and "没有写入权限" in result.err and str(path) in result.err
    assert_untouched(path, before)


def test_the_diff_option_writes_nothing_even_on_a_full_disk(tmp_path, monkeypatch) -> None:
    path, before = broken_copy(tmp_path)
    calls = inject(monkeypatch, enospc(), "write")
    result = run_cli("fix", "--diff", str(path))
    assert result.code == 1 and calls == [] and "+  rate: 99.62" in result.out
    assert_untouched(path, before)


def test_a_successful_write_after_faults_is_complete(tmp_path, monkeypatch) -> None:
    """After any of the above, a healthy run writes the whole file: no half state carries over."""
    path, _ = broken_copy(tmp_path)
    inject(monkeypatch, enospc(), "write")
    assert run_cli("fix", str(path)).code == 2
    monkeypatch.undo()
    assert run_cli("fix", str(path)).code == 1
    assert read(path) == good() and leftovers(tmp_path) == []
