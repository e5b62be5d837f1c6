"""The one way perfspec writes a file: atomically, without following a planted link.

`fix`, `render`, `export` and `import` all write through `write_atomic`:

- The bytes go to a temporary file created in the target's own folder with
  ``O_CREAT | O_EXCL | O_NOFOLLOW`` and mode 0600, under a short random name
  (``.ps-1a2b3c4d.tmp``): an existing file or link of that name is never opened,
  and a target whose name is as long as the file system allows still works.
  The temporary file is written, flushed, given the original's metadata,
  fsynced and renamed over the target with `os.replace`; the folder is then
  fsynced where the platform allows. On any failure (an OSError, Ctrl-C,
  SIGTERM turned into SystemExit, anything) the temporary file is removed and
  the original keeps every byte. Only SIGKILL or a power cut can leave a
  ``.ps-*.tmp`` file behind; perfspec never reads files whose name starts with a dot.
- A target that is a symbolic link is written *through* (the link stays, the
  file it points to gets the new content), but when `root` is given the real
  location of the target — through a link of its own or through a linked
  folder — must lie inside `root`, or the write is refused. A link that points
  nowhere is refused.
- Only a regular file is ever replaced: a folder, FIFO, device or socket is refused.
- What `os.replace` would silently change is kept or refused: a file with more
  than one hard link is refused (replacing it would split the link); the
  permission bits are kept; the owner and group are kept when running as root,
  and a file owned by another user is refused otherwise (the new file would
  belong to us); extended attributes (which include POSIX ACLs and SELinux
  labels) are copied, and one that cannot be copied is a refusal, never a
  silent loss.
- A new file gets ``0o666 & ~umask``, like `open()` would give it, unless `mode` is given.

Refusals raise `WriteRefused`; I/O errors raise `WriteFailed`. Both are
OSErrors, so a caller that reports OSErrors reports them too (with the file
name and a Chinese reason in `strerror`); both carry `.en` for English.

Not covered: a concurrent attacker who can rename entries inside the target
folder between the checks and the rename (there is no lock), and hard links
or owners of files that are not the target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from typing import BinaryIO, Callable, Iterator

TEMP_PREFIX = ".ps-"
TEMP_SUFFIX = ".tmp"
_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
_NOT_SUPPORTED = {getattr(errno, name) for name in ("ENOTSUP", "EOPNOTSUPP") if hasattr(errno, name)}
_umask_lock = threading.Lock()


class WriteRefused(OSError):
    """The file was not written because writing it would do something unasked; nothing changed.

    `str()` is Chinese and names the file; `.en` is the same in English;
    `.reason` / `.reason_en` are the reason alone (for callers that name the file themselves).
    """

    def __init__(self, path: str, reason: str, reason_en: str) -> None:
        super().__init__(f"{path}：{reason}，未写入")
        self.path = path
        self.reason = reason
        self.reason_en = reason_en
        self.en = f"{path}: {reason_en}; not written"
        # As an OSError: callers printing `exc.filename` and `exc.strerror` say the right thing.
        self.filename = path
        self.strerror = reason

    def __str__(self) -> str:
        return f"{self.path}：{self.reason}，未写入"

    def __reduce__(self):  # picklable: render writes from forked workers
        return (type(self), (self.path, self.reason, self.reason_en))


class WriteFailed(OSError):
    """An OSError while writing; the original is intact and no temporary file is left.

    `stage` says where: "stat" (looking at the target), "create" (the temporary
    file could not be created in the folder) or "write" (writing, syncing, renaming).
    """

    def __init__(self, code: int | None, strerror: str | None, filename: str, stage: str) -> None:
        super().__init__(code, strerror, filename)
        self.stage = stage
        self.en = f"{filename}: {strerror}"

    def __reduce__(self):
        return (type(self), (self.errno, self.strerror, self.filename, self.stage))

    @classmethod
    def of(cls, exc: OSError, path: str, stage: str) -> "WriteFailed":
        return cls(exc.errno, exc.strerror or str(exc), path, stage)


# --------------------------------------------------------------------------
# Looking at the target.

_KINDS = (
    (stat.S_ISDIR, "是文件夹", "is a folder"),
    (stat.S_ISFIFO, "是管道（FIFO）", "is a FIFO (named pipe)"),
    (stat.S_ISCHR, "是设备文件", "is a device"),
    (stat.S_ISBLK, "是设备文件", "is a device"),
    (stat.S_ISSOCK, "是套接字", "is a socket"),
)


def _inside(real: str, root: str) -> bool:
    try:
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives
        return False


def resolve(path: str, root: str | None = None) -> tuple[str, os.stat_result | None]:
    """The file a write to `path` would replace, and its lstat (None for a new file); refusals raise."""
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteFailed.of(exc, path, "stat") from exc
    real = os.path.realpath(path)
    if info is not None and stat.S_ISLNK(info.st_mode):
        try:
            info = os.lstat(real)
        except FileNotFoundError:
            raise WriteRefused(
                path, f"是指向不存在的 {real} 的符号链接", f"is a symbolic link to {real}, which does not exist"
            ) from None
        except OSError as exc:
            raise WriteFailed.of(exc, path, "stat") from exc
        if stat.S_ISLNK(info.st_mode):
            raise WriteRefused(
                path, "是无法解析的符号链接（循环或层数过多）",
                "is a symbolic link that cannot be resolved (a loop, or too many levels)",
            )
        linked = True
    else:
        linked = False
    if root is not None:
        top = os.path.realpath(root)
        if not _inside(real, top):
            if linked:
                raise WriteRefused(
                    path, f"是指向 {real} 的符号链接，在输出文件夹 {root} 之外，不跟随",
                    f"is a symbolic link to {real}, outside the output folder {root}; not followed",
                )
            raise WriteRefused(
                path, f"实际位于 {real}（经过符号链接的文件夹），在输出文件夹 {root} 之外",
                f"actually lies at {real} (through a linked folder), outside the output folder {root}",
            )
    return real, info


def check_replaceable(path: str, info: os.stat_result) -> None:
    """Refuse what `os.replace` cannot replace faithfully (see the module docstring)."""
    for test, zh, en in _KINDS:
        if test(info.st_mode):
            raise WriteRefused(path, f"{zh}，不是普通文件", f"{en}, not a regular file")
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused(path, "不是普通文件", "is not a regular file")
    if info.st_nlink > 1:
        raise WriteRefused(
            path,
            f"有 {info.st_nlink} 个硬链接，替换它会拆开硬链接（其他名字仍是旧内容）",
            f"has {info.st_nlink} hard links; replacing it would split the hard link "
            "(the other names would keep the old content)",
        )
    euid = os.geteuid() if hasattr(os, "geteuid") else None
    if euid not in (None, 0) and info.st_uid != euid:
        raise WriteRefused(
            path,
            f"属于另一个用户（uid {info.st_uid}），替换后文件会归当前用户（uid {euid}）所有",
            f"belongs to another user (uid {info.st_uid}); replacing it would hand the file "
            f"to the current user (uid {euid})",
        )


# --------------------------------------------------------------------------
# The new file's metadata.


def current_umask() -> int:
    """The process umask, without changing it where /proc tells (os.umask is set-and-get)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _umask_lock:
        old = os.umask(0o022)
        os.umask(old)
    return old


def _copy_owner(fd: int, path: str, info: os.stat_result) -> None:
    if not hasattr(os, "chown"):
        return
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (info.st_uid, info.st_gid):
        return
    if os.geteuid() == 0:
        os.chown(fd, info.st_uid, info.st_gid)
        return
    # Not root: the owner is us (checked before); keep the group if we may.
    try:
        os.chown(fd, -1, info.st_gid)
    except OSError as exc:
        raise WriteRefused(
            path,
            f"无法保留文件的属组（gid {info.st_gid}：{exc.strerror or exc}），替换会改变谁能读写它",
            f"its group (gid {info.st_gid}) cannot be kept ({exc.strerror or exc}); "
            "replacing it would change who may read or write it",
        ) from exc


def _copy_xattrs(fd: int, path: str, source: str) -> None:
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(source, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in _NOT_SUPPORTED:
            return
        raise WriteRefused(
            path, f"无法读取它的扩展属性（{exc.strerror or exc}）",
            f"its extended attributes cannot be read ({exc.strerror or exc})",
        ) from exc
    for name in names:
        try:
            value = os.getxattr(source, name, follow_symlinks=False)
            try:
                present: bytes | None = os.getxattr(fd, name)
            except OSError:
                present = None
            if present != value:
                os.setxattr(fd, name, value)
        except OSError as exc:
            raise WriteRefused(
                path,
                f"扩展属性 {name} 无法复制到新文件（{exc.strerror or exc}），不能悄悄丢掉它",
                f"the extended attribute {name} cannot be copied to the new file ({exc.strerror or exc}) "
                "and must not be silently dropped",
            ) from exc


def _apply_metadata(fd: int, path: str, real: str, info: os.stat_result | None, mode: int | None) -> None:
    if info is None:
        os.chmod(fd, mode if mode is not None else 0o666 & ~current_umask())
        return
    _copy_owner(fd, path, info)  # before chmod: chown may clear set-id bits
    os.chmod(fd, stat.S_IMODE(info.st_mode))
    _copy_xattrs(fd, path, real)  # after chmod: an ACL sets the group bits as the original has them


# --------------------------------------------------------------------------
# Writing.


def _create_temp(folder: str) -> tuple[str, int]:
    for _ in range(100):
        temp = os.path.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            return temp, os.open(temp, _TEMP_FLAGS, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", folder)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, then interrupt as usual (where the system can hold them).

    Python raises KeyboardInterrupt between any two steps: between creating the temporary file and
    learning its name, it left a `.ps-*.tmp` beside the output (seen once in the interrupt test).
    """
    hold = getattr(signal, "pthread_sigmask", None)
    if hold is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = hold(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        hold(signal.SIG_SETMASK, previous)


def _remove(temp: str) -> None:
    try:
        os.unlink(temp)
    except OSError:
        pass


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable, where a folder can be opened and synced."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes, *, mode: int | None = None, root: str | None = None) -> None:
    """Replace (or create) the file at `path` with `data`, all at once; see the module docstring.

    `mode` is the permission bits of a new file (default ``0o666 & ~umask``);
    an existing file keeps its own. With `root`, the file actually written
    must lie inside that folder.
    """
    write_atomic_with(path, lambda handle: handle.write(data), mode=mode, root=root)


def write_atomic_with(
    path: str, produce: Callable[[BinaryIO], object], *, mode: int | None = None, root: str | None = None
) -> None:
    """As `write_atomic`, but `produce(handle)` writes the bytes: a large file is streamed, never held whole.

    `produce` gets the temporary file (binary, write-only, seekable); whatever it raises removes
    the temporary file and leaves the target as it was.
    """
    real, info = resolve(path, root)
    if info is not None:
        check_replaceable(path, info)
    folder = os.path.dirname(real) or "."
    temp: str | None = None
    replaced = False
    try:
        with _signals_held():  # a signal here would lose the new file's name, so it could not be removed
            try:
                temp, fd = _create_temp(folder)
            except OSError as exc:
                raise WriteFailed.of(exc, path, "create") from exc
            try:
                handle = os.fdopen(fd, "wb")
            except BaseException:
                os.close(fd)
                raise
        with handle:
            produce(handle)
            handle.flush()
            _apply_metadata(handle.fileno(), path, real, info, mode)
            os.fsync(handle.fileno())
        with _signals_held():  # ... or here, that the target was already replaced
            os.replace(temp, real)
            replaced = True
    except BaseException as exc:
        if temp is not None and not replaced:
            _remove(temp)
        if isinstance(exc, OSError) and not isinstance(exc, (WriteRefused, WriteFailed)):
            raise WriteFailed.of(exc, path, "write") from exc
        raise
    _sync_folder(folder)
