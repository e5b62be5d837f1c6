"""Reading a git repository safely: no hooks, filters, pagers or transports a repository configures.

`Git` runs every command with the repository's own commands switched off and reads blobs through one
`git cat-file --batch`; `spec_prefixes`/`is_spec` say which paths are forms. Used by diff (two
revisions of the forms) and targets (the history of target changes).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from typing import Iterable, Sequence

from perfspec.check.engine import SPEC_SUFFIXES
from perfspec.errors import UsageError
from perfspec.load.files import spec_files

# --------------------------------------------------------------------------- git

# Every git command runs with the repository's own commands switched off: no fsmonitor hook,
# no hooks, no external diff, no pager, no transport (a lazy fetch in a partial clone would
# run ssh or a remote helper), no system config. Git reads commit objects only (rev-parse,
# ls-tree, cat-file; for the 目标变更 section, log and diff-tree without external diff, text
# conversion or signature check, and merge-base); the working tree is listed and read by
# perfspec itself through `read_spec`, so no clean or smudge filter ever runs.
GIT_SAFETY = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "diff.external=",
    "-c", "core.pager=cat",
    "-c", "protocol.allow=never",
    "-c", "core.untrackedCache=false",
)
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat",
    "GIT_NO_LAZY_FETCH": "1", "GIT_OPTIONAL_LOCKS": "0",
}


@dataclass(frozen=True)
class Entry:
    """One file of one side: its git mode and object id (None: a working-tree file that cannot be read)."""

    mode: str
    sha: str | None


LINK_MODE, GITLINK_MODE = "120000", "160000"


class Git:
    """A git repository, driven through `git -C <toplevel> ...` with a list argv."""

    def __init__(self, start: str = ".") -> None:
        proc = _run_git(["rev-parse", "--show-toplevel"], os.path.abspath(start))
        if proc.returncode != 0:
            raise UsageError(f"当前目录不在 git 仓库中（{_first_line(proc.stderr)}）")
        self.top = os.fsdecode(proc.stdout).strip()
        self._blobs: _Blobs | None = None

    def run(self, args: Sequence[str], input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return _run_git(["-C", self.top, *args], self.top, input)

    def resolve(self, rev: str) -> str:
        """The commit id of `rev`; a usage error if there is none."""
        if not rev or rev.startswith("-") or "\0" in rev:
            raise UsageError(f"无效的 git 版本“{rev}”")
        proc = self.run(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"])
        if proc.returncode != 0:
            raise UsageError(f"找不到 git 版本“{rev}”（浅克隆时请取回完整历史，如 GIT_DEPTH: 0 或 fetch-depth: 0）")
        return proc.stdout.decode("ascii").strip()

    def short(self, commit: str) -> str:
        proc = self.run(["rev-parse", "--short", commit])
        return proc.stdout.decode("ascii").strip() if proc.returncode == 0 else commit[:12]

    def tree(self, commit: str) -> dict[str, Entry]:
        """path → Entry for every file of the commit (blobs and links; submodules are left out)."""
        proc = self.run(["ls-tree", "-r", "-z", "--full-tree", commit])
        if proc.returncode != 0:
            raise UsageError(f"git ls-tree 失败：{_first_line(proc.stderr)}")
        out: dict[str, Entry] = {}
        for record in proc.stdout.split(b"\0"):
            head, tab, raw = record.partition(b"\t")
            parts = head.split(b" ")
            if not tab or len(parts) != 3 or parts[1] != b"blob":
                continue
            out[os.fsdecode(raw)] = Entry(parts[0].decode("ascii"), parts[2].decode("ascii"))
        return out

    def blob(self, sha: str, limit: int) -> bytes | int | None:
        """The blob's bytes; its size when larger than `limit` (then it is not read); None if missing.

        One `git cat-file --batch-check` and one `git cat-file --batch` process serve every blob.
        """
        if self._blobs is None:
            self._blobs = _Blobs(self)
        return self._blobs.get(sha, limit)

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()
            self._blobs = None

    def worktree(self, prefixes: Sequence[str]) -> dict[str, tuple[Entry, bytes | None]]:
        """The specs of the working tree, listed and read by perfspec (never by git): path → (Entry, bytes).

        Untracked files count (git's ignore rules are asked, not its index or filters); a file
        that cannot be read safely has no id: it is always a change, and checking it says why.
        """
        from perfspec.load.files import TooLarge, read_spec
        from perfspec.load.loader import MAX_BYTES

        starts = sorted({os.path.join(self.top, *p.split("/")) if p else self.top for p in prefixes})
        out: dict[str, tuple[Entry, bytes | None]] = {}
        for path in spec_files([s for s in starts if os.path.lexists(s)], SPEC_SUFFIXES):
            rel = os.path.relpath(path, self.top).replace(os.sep, "/")
            if rel.startswith("../") or rel in out or not is_spec(rel, prefixes):
                continue
            try:
                data: bytes | None = read_spec(path, MAX_BYTES, self.top)
            except (OSError, TooLarge):
                data = None
            out[rel] = (Entry("100644", None if data is None else self.hash(data)), data)
        for rel in self.ignored(list(out)):
            out.pop(rel, None)
        return out

    def ignored(self, paths: list[str]) -> list[str]:
        """The untracked paths among `paths` that git's ignore rules ignore."""
        if not paths:
            return []
        proc = self.run(["check-ignore", "-z", "--stdin"], input=b"\0".join(os.fsencode(p) for p in paths) + b"\0")
        if proc.returncode not in (0, 1):
            return []  # cannot tell: compare them all
        return [os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]

    def hash(self, data: bytes) -> str:
        """The object id git gives these bytes as a blob (no filter applied)."""
        if self._object_format is None:
            proc = self.run(["rev-parse", "--show-object-format"])
            self._object_format = proc.stdout.decode("ascii", "replace").strip() if proc.returncode == 0 else "sha1"
        digest = hashlib.sha256() if self._object_format == "sha256" else hashlib.sha1()
        digest.update(b"blob %d\0" % len(data))
        digest.update(data)
        return digest.hexdigest()

    _object_format: str | None = None


class _Blobs:
    """`git cat-file --batch-check` (sizes first) and `--batch` (contents), each one process, asked in turn."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.check: subprocess.Popen[bytes] | None = None
        self.batch: subprocess.Popen[bytes] | None = None

    def _start(self, option: str) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                ["git", *GIT_SAFETY, "-C", self.git.top, "cat-file", option],
                cwd=self.git.top, env=_git_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise UsageError(f"无法运行 git：{exc}") from None

    @staticmethod
    def _ask(proc: subprocess.Popen[bytes], sha: str) -> list[bytes]:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(sha.encode("ascii") + b"\n")
            proc.stdin.flush()
        except OSError:
            return []
        return proc.stdout.readline().split()

    def get(self, sha: str, limit: int) -> bytes | int | None:
        if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
            return None
        if self.check is None:
            self.check = self._start("--batch-check")
        header = self._ask(self.check, sha)
        if len(header) != 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        if size > limit:
            return size  # never read: a 400 MB blob costs nothing
        if self.batch is None:
            self.batch = self._start("--batch")
        header = self._ask(self.batch, sha)
        if len(header) != 3 or header[1] != b"blob" or int(header[2]) != size:
            return None
        assert self.batch.stdout is not None
        data = self.batch.stdout.read(size + 1)  # the contents and git's newline
        return data[:size] if len(data) == size + 1 else None

    def close(self) -> None:
        for proc in (self.check, self.batch):
            if proc is None:
                continue
            try:
                assert proc.stdin is not None
                proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self.check = self.batch = None


def _git_env() -> dict[str, str]:
    env = dict(os.environ, **_GIT_ENV)
    for name in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS"):
        env.pop(name, None)
    return env


def _run_git(args: list[str], cwd: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *GIT_SAFETY, *args], cwd=cwd, input=input, capture_output=True, env=_git_env(), check=False,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise UsageError("找不到 git 命令：perfspec diff 需要安装 git") from None
    except OSError as exc:
        raise UsageError(f"无法运行 git：{exc}") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "git 没有给出原因"


def spec_prefixes(git: Git, config_root: str, paths: Iterable[str]) -> list[str]:
    """The configured spec paths, relative to the top of the repository ('' is all of it)."""
    top = os.path.realpath(git.top)
    out = []
    for p in paths:
        rel = os.path.relpath(os.path.realpath(os.path.join(config_root, p)), top)
        if rel == os.curdir:
            out.append("")
        elif not rel.startswith(os.pardir):
            out.append(rel.replace(os.sep, "/"))
    return out


def is_spec(path: str, prefixes: Iterable[str]) -> bool:
    """What `perfspec check` would collect: a configured file, or a visible *.yaml / *.yml below a configured folder."""
    for prefix in prefixes:
        if path == prefix:
            return True
        if prefix and not path.startswith(prefix + "/"):
            continue
        rest = path[len(prefix) + 1 :] if prefix else path
        if path.endswith(SPEC_SUFFIXES) and not any(part.startswith(".") for part in rest.split("/")):
            return True
    return False
