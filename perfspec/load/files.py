"""One safe way to open a spec: every command reads spec files through `read_spec`.

- Nothing outside the repository is read through a link. The root is the folder
  holding `.perfspec.yaml`, else the top of the git working tree, else the working
  folder (found from the working folder; a path given outside it gets the nearest
  such folder above it, else its own folder). A link whose both ends lie inside the
  root is followed; a link (a file's, or any folder's on the way) that leads out of
  it is refused, and so is a path that reaches the root only through such a link.
- Only regular files: a FIFO, socket, device or folder is refused without waiting
  (the file is opened with O_NONBLOCK, and its type is checked before and after).
- The file is opened from the root one folder at a time with O_NOFOLLOW where the
  system allows it, so a link swapped in after the check is not followed either.
- The size is bounded by fstat first, and never more than `limit + 1` bytes are read.

Refusals are exceptions carrying a one-line Chinese and English reason; the loader
turns them into an unreadable-file message (one stderr line naming the file, exit 2).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator

CONFIG_NAME = ".perfspec.yaml"
_MARKERS = (CONFIG_NAME, ".git")
_CHUNK = 1 << 20


class Refused(OSError):
    """A spec perfspec will not read; `zh` and `en` say why in one line."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


class NotRegular(Refused):
    def __init__(self) -> None:
        super().__init__("不是普通文件（管道、设备或套接字），未读取", "not a regular file (a pipe, device or socket); not read")


class Outside(Refused):
    def __init__(self, real: str, root: str) -> None:
        super().__init__(
            f"无法读取：它经由链接指向仓库之外（{real}）；perfspec 只读取仓库 {root} 之内的文件",
            f"cannot be read: it leads through a link out of the repository (to {real}); "
            f"perfspec reads files inside {root} only",
        )
        self.real, self.root = real, root


class TooLarge(Exception):
    """Larger than the limit; `size` is what fstat said, None when the file grew while it was read."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


def _has_marker(folder: str) -> bool:
    return any(os.path.lexists(os.path.join(folder, name)) for name in _MARKERS)


def inside(path: str, root: str) -> bool:
    """Whether `path` is `root` or below it (both absolute and normalised)."""
    if path == root:
        return True
    return path.startswith(root if root.endswith(os.sep) else root + os.sep)


_working: dict[str, str] = {}


def working_root() -> str:
    """The repository root seen from the working folder (os.getcwd() holds no links, so neither does it)."""
    cwd = os.getcwd()
    found = _working.get(cwd)
    if found is None:
        found = cwd
        folder = cwd
        while True:
            if _has_marker(folder):
                found = folder
                break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        if len(_working) > 64:
            _working.clear()
        _working[cwd] = found
    return found


_roots_of: dict[str, str] = {}


def root_for(path: str, is_folder: bool = False) -> str:
    """The repository root a path given on the command line (or found below one) is read in."""
    absolute = os.path.abspath(path)
    top = working_root()
    if inside(absolute, top):
        return top
    start = absolute if is_folder and not os.path.islink(absolute) else os.path.dirname(absolute)
    # Remembered per folder: each form outside the working folder cost ~16 lstat calls walking up
    # to / (1,000 forms in one folder made the same walk 1,000 times); a root does not move while
    # perfspec runs (as _real_root assumes).
    found = _roots_of.get(start)
    if found is None:
        if len(_roots_of) > 4096:
            _roots_of.clear()
        found = _roots_of[start] = _root_above(start)
    return found


def _root_above(start: str) -> str:
    folder = start
    while True:
        if os.path.islink(folder):
            break  # a marker beyond a link belongs to wherever the link leads
        if _has_marker(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return start


def escapes(path: str, root: str | None = None, is_folder: bool = False) -> tuple[str, str] | None:
    """(real path, real root) when `path` leads out of its repository root, else None."""
    root = root if root is not None else root_for(path, is_folder)
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return None if inside(real, real_root) else (real, real_root)


_real_roots: dict[str, str] = {}


def _real_root(root: str) -> str:
    """realpath(root), remembered: a root does not move while perfspec runs."""
    found = _real_roots.get(root)
    if found is None:
        if len(_real_roots) > 64:
            _real_roots.clear()
        found = _real_roots[root] = os.path.realpath(root)
    return found


def real_path(path: str, folders: dict[str, str], link: bool | None = None) -> str:
    """os.path.realpath(path), each folder resolved once per `folders` (the caller's cache).

    realpath walks every folder on the way, ~20 µs a form, and 10,000 forms share a few folders:
    a path that is not a link is its folder's real path and its name. `link`: whether the path
    itself is a link, when the caller knows (its lstat).
    """
    folder, name = os.path.split(path)
    if name in ("", ".", ".."):
        return os.path.realpath(path)
    if link is None:
        link = os.path.islink(path)
    if link:
        return os.path.realpath(path)
    folder = os.path.abspath(folder or ".")  # a relative folder is another one after a chdir
    real = folders.get(folder)
    if real is None:
        if len(folders) > 4096:
            folders.clear()
        real = folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)


_read_folders: dict[str, str] = {}


def _resolved(path: str) -> tuple[str, os.stat_result]:
    """(realpath, stat) of an existing path; a missing file or a link loop raises.

    Nothing is trusted from real_path's cache when the file is opened: _open_below follows no link.
    """
    if os.path.basename(path) not in ("", ".", ".."):
        info = os.lstat(path)  # a missing file fails here; its folders resolved, so theirs cannot
        if not stat.S_ISLNK(info.st_mode):
            return real_path(path, _read_folders, link=False), info
    real = os.path.realpath(path, strict=True)
    return real, os.stat(real)


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# O_PATH: a folder one may pass through (x) but not list (r) is still passed through.
_DIR_FLAGS = (getattr(os, "O_PATH", 0) or os.O_RDONLY) | _DIRECTORY | getattr(os, "O_CLOEXEC", 0)
_WALK = bool(_NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd)


def _open_below(real: str, real_root: str) -> int:
    """Open `real` (a resolved path inside `real_root`) one component at a time, following no link."""
    if not _WALK or not inside(real, real_root) or real == real_root:
        return os.open(real, _FLAGS | _NOFOLLOW)
    parts = real[len(real_root.rstrip(os.sep)) + 1 :].split(os.sep)
    folder = os.open(real_root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            below = os.open(part, _DIR_FLAGS | _NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = below
        return os.open(parts[-1], _FLAGS | _NOFOLLOW, dir_fd=folder)
    finally:
        os.close(folder)


def read_spec(path: str, limit: int, root: str | None = None) -> bytes:
    """The bytes of the spec at `path`, read safely (see the module's docstring).

    Raises `Refused` (outside the root, not a regular file), `TooLarge`, or the
    OSError of the failing call (FileNotFoundError, PermissionError, IsADirectoryError...).
    """
    root = root if root is not None else root_for(path)
    real_root = _real_root(root)
    real, info = _resolved(path)
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise NotRegular()  # not opened at all, wherever it is
    if not inside(real, real_root):
        raise Outside(real, real_root)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(path)
    fd = _open_below(real, real_root)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular()
        if info.st_size > limit:
            raise TooLarge(info.st_size)
        # The first read asks for the size fstat gave, plus one byte to see a file that grew: a
        # buffer of _CHUNK for each 5 KB form was most of the cost of reading it.
        chunks, left, want = [], limit + 1, info.st_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, want))
            want = _CHUNK
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(None)
    return data


def spec_files(paths: Iterable[str], suffixes: tuple[str, ...]) -> Iterator[str]:
    """Files as given, and every visible file ending in `suffixes` below folders, in a stable order.

    Iterative (1,200 nested folders are fine); links to folders are not followed, but a
    link that leads out of the repository is yielded, so that reading it reports it; a
    folder that cannot be listed is yielded too, so that reading it says why.
    """
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        if escapes(path, is_folder=True) is not None:
            yield path  # `specs` itself a link out of the repository: refused as one
            continue
        stack = [path]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError:
                if folder != path:
                    yield folder
                continue
            below = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_link = is_dir = False
                if is_dir:
                    below.append(entry.path)
                elif is_link and os.path.isdir(entry.path):
                    # A linked folder is not entered; one leading out of the repository is reported.
                    if escapes(entry.path) is not None:
                        yield entry.path
                elif entry.name.endswith(suffixes):
                    yield entry.path
            stack.extend(reversed(below))
