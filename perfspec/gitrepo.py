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
# ls-tree, cat-file, diff-tree --raw for the changed files, without external diff or text
# conversion; for the 目标变更 section also log without signature check, and merge-base; for
# the working tree which files are tracked and which ignored, ls-files and check-ignore); the
# working tree is listed and read by perfspec itself through `read_spec`, so no clean or smudge
# filter ever runs.
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
_NO_FILE = ("000000", GITLINK_MODE)  # diff-tree's modes for an absent path and a submodule
FOLDER_PATTERNS = 512  # exclude pathspecs at most; a repository of more form folders is listed whole
FEW_FOLDERS = 16  # below a spec folder with more visible folders, one `**` pattern per suffix (when none is hidden)


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

    def changes(self, old: str | None, new: str, pathspec: Sequence[str] = ()) -> list[tuple[str, Entry | None, Entry | None]]:
        """(path, old entry, new entry) for every file that differs between two commits (`old` None:
        the empty tree), each side None where the path is no file (absent, or a submodule).

        Git compares the tree objects (`diff-tree --raw`): a folder whose tree is the same on both
        sides is never opened, so the work follows what changed, not the size of the tree. No rename
        detection (the caller pairs removed and added forms itself), no content diff at all.
        """
        proc = self.run([
            "diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", "--no-ext-diff", "--no-textconv",
            old or self.empty_tree(new), new, "--", *pathspec,
        ])
        if proc.returncode != 0:
            raise UsageError(f"git diff-tree 失败：{_first_line(proc.stderr)}")
        out: list[tuple[str, Entry | None, Entry | None]] = []
        records = proc.stdout.split(b"\0")
        for head, raw in zip(records[0::2], records[1::2]):
            parts = head.split(b" ")
            if len(parts) != 5 or not head.startswith(b":"):
                continue
            modes = (parts[0][1:].decode("ascii"), parts[1].decode("ascii"))
            shas = (parts[2].decode("ascii"), parts[3].decode("ascii"))
            sides = [None if mode in _NO_FILE else Entry(mode, sha) for mode, sha in zip(modes, shas)]
            out.append((os.fsdecode(raw), sides[0], sides[1]))
        return out

    def yaml_files(self, commit: str, specs: Sequence[str], also: Sequence[str] = ()) -> dict[str, Entry]:
        """path → Entry for every *.yaml / *.yml of the commit that is not a form below `specs`, and for
        the paths `also`; some forms may be among them (the caller tells them apart with `is_spec`).

        The configuration, profiles and layouts of a revision, without listing its ten thousand forms:
        git lists the folders (`ls-tree -d`), then every YAML file except the visible ones of the
        visible folders below `specs` (`diff-tree` against the empty tree, with exclude pathspecs).
        """
        if any(is_spec(p, specs) for p in also):
            return self.tree(commit)  # a form that is also asked for by name: exclusions would hide it
        proc = self.run(["ls-tree", "-r", "-d", "-z", "--full-tree", commit])
        if proc.returncode != 0:
            raise UsageError(f"git ls-tree 失败：{_first_line(proc.stderr)}")
        folders = [os.fsdecode(r.partition(b"\t")[2]) for r in proc.stdout.split(b"\0") if b"\t" in r]
        excluded = _form_patterns(folders, specs)
        if excluded is None:
            return self.tree(commit)
        pathspec = [f":(top,glob)**/*{s}" for s in SPEC_SUFFIXES] + [f":(top,literal){p}" for p in also]
        pathspec += [f":(top,exclude,glob){p}" for p in excluded]
        return {path: entry for path, _, entry in self.changes(None, commit, pathspec) if entry is not None}

    def empty_tree(self, like: str = "") -> str:
        """The id of the empty tree, which every repository has without storing it; of the object
        format of the object id `like` (its length tells), without asking git when it is one."""
        if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", like):
            self._object_format = self._object_format or ("sha1" if len(like) == 40 else "sha256")
        return self.hash(b"", "tree")

    def blob(self, sha: str, limit: int) -> bytes | int | None:
        """The blob's bytes; its size when larger than `limit` (then it is not read); None if missing.

        One `git cat-file --batch-check` and one `git cat-file --batch` process serve every blob.
        """
        if self._blobs is None:
            self._blobs = _Blobs(self)
        return self._blobs.get(sha, limit)

    def blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | int | None]:
        """`blob` for many at once: sha → bytes, size or None, in one round trip per BATCH blobs
        instead of two per blob (each a wait on git, which a loaded machine makes long)."""
        if self._blobs is None:
            self._blobs = _Blobs(self)
        return self._blobs.read(shas, limit)

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()
            self._blobs = None

    def worktree(self, prefixes: Sequence[str]) -> dict[str, tuple[Entry, bytes | None]]:
        """The specs of the working tree, listed and read by perfspec (never by git): path → (Entry, bytes).

        Untracked files count unless git's ignore rules ignore them (git is asked which, and which files
        its index tracks: `ls-files`, `check-ignore`; never its filters); a file
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
        # check-ignore compares each path it is given with the whole index (10,000 tracked forms:
        # five seconds), and never reports a tracked one: it is given the others only. An entry
        # marked skip-worktree does not count as tracked there, nor here.
        listed = self.run(["ls-files", "-z", "-t"])
        if listed.returncode == 0:
            tracked = {os.fsdecode(r[2:]) for r in listed.stdout.split(b"\0") if len(r) > 2 and not r.startswith(b"S ")}
            paths = [p for p in paths if p not in tracked]
        if not paths:
            return []
        proc = self.run(["check-ignore", "-z", "--stdin"], input=b"\0".join(os.fsencode(p) for p in paths) + b"\0")
        if proc.returncode not in (0, 1):
            return []  # cannot tell: compare them all
        return [os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]

    def hash(self, data: bytes, kind: str = "blob") -> str:
        """The object id git gives these bytes as a blob (no filter applied), or as another kind of object."""
        if self._object_format is None:
            proc = self.run(["rev-parse", "--show-object-format"])
            self._object_format = proc.stdout.decode("ascii", "replace").strip() if proc.returncode == 0 else "sha1"
        digest = hashlib.sha256() if self._object_format == "sha256" else hashlib.sha1()
        digest.update(b"%s %d\0" % (kind.encode("ascii"), len(data)))
        digest.update(data)
        return digest.hexdigest()

    _object_format: str | None = None


BATCH = 64  # blobs asked for before their answers are read: well within a pipe's buffer, so git never waits on us


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
    def _send(proc: subprocess.Popen[bytes], shas: Sequence[str]) -> bool:
        assert proc.stdin is not None
        try:
            proc.stdin.write(b"".join(sha.encode("ascii") + b"\n" for sha in shas))
            proc.stdin.flush()
        except OSError:
            return False
        return True

    def get(self, sha: str, limit: int) -> bytes | int | None:
        return self.read([sha], limit)[sha]

    def read(self, shas: Iterable[str], limit: int) -> dict[str, bytes | int | None]:
        """sha → the blob's bytes, its size when larger than `limit`, or None; BATCH blobs a round trip."""
        out: dict[str, bytes | int | None] = {}
        valid = []
        for sha in dict.fromkeys(shas):
            if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
                valid.append(sha)
            else:
                out[sha] = None
        for start in range(0, len(valid), BATCH):
            chunk = valid[start : start + BATCH]
            if self.check is None:
                self.check = self._start("--batch-check")
            assert self.check.stdout is not None
            sent = self._send(self.check, chunk)
            wanted = []
            for sha in chunk:
                header = self.check.stdout.readline().split() if sent else []
                if len(header) != 3 or header[1] != b"blob":
                    out[sha] = None
                elif int(header[2]) > limit:
                    out[sha] = int(header[2])  # never read: a 400 MB blob costs nothing
                else:
                    wanted.append((sha, int(header[2])))
            if not wanted:
                continue
            if self.batch is None:
                self.batch = self._start("--batch")
            assert self.batch.stdout is not None
            sent = self._send(self.batch, [sha for sha, _ in wanted])
            for sha, size in wanted:
                header = self.batch.stdout.readline().split() if sent else []
                if len(header) != 3 or header[1] != b"blob":
                    out[sha] = None  # missing: git sends no contents
                    continue
                data = self.batch.stdout.read(int(header[2]) + 1)  # the contents and git's newline
                out[sha] = data[:size] if len(data) == size + 1 else None
        return out

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
    # The pathspec variables would change what a `:(literal)` or `:(glob)` pathspec matches.
    for name in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS",
                 "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS"):
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


def _glob(path: str) -> str:
    """`path` as a literal part of a git glob pathspec."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", path)


def _form_patterns(folders: Sequence[str], specs: Sequence[str]) -> list[str] | None:
    """Glob patterns that match only forms (`is_spec`): the visible YAML files of the visible folders
    below each spec folder. None when that takes more than FOLDER_PATTERNS patterns."""
    out: list[str] = []
    for prefix in specs:
        if prefix and prefix not in folders:
            continue  # a file or nothing: whatever it is, it is not left out
        below = [f for f in folders if not prefix or f.startswith(prefix + "/")]
        rests = [f[len(prefix) + 1 :] if prefix else f for f in below]
        visible = [""] + [r for r in rests if not any(part.startswith(".") for part in r.split("/"))]
        if len(visible) > FEW_FOLDERS and len(visible) == len(rests) + 1:
            visible = ["**"]  # no hidden folder below: one pattern reaches every depth
        for rest in visible:
            where = "/".join(_glob(p) if p != "**" else p for p in (prefix, rest) if p)
            out += [f"{where}/[!.]*{s}" if where else f"[!.]*{s}" for s in SPEC_SUFFIXES]
    return out if len(out) <= FOLDER_PATTERNS else None
