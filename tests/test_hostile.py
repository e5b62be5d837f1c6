"""Hostile input: every file in tests/hostile/manifest.yaml, through check, fix and render.

Each run is a subprocess under a wrapper that records its exit status, wall time
and peak memory, so a segfault, a hang or a runaway allocation shows up as
such instead of taking pytest down with it. For every input:

- `perfspec check` alone: the expected exit code (1 or 2; 0 only for an empty
  folder), the expected findings at their lines (or one stderr line naming the
  file), no traceback, under TIME_LIMIT seconds and MEMORY_LIMIT_MB;
- one multi-file run of each command over all the inputs, with a copy of a good
  form after every one of them: each copy is still checked, fixed and rendered;
- `perfspec fix` never changes a hostile file (but for the two it must repair,
  byte for byte), and `perfspec render` never shows their markup.

Inputs too large or too odd to commit (10 MB, 1 MB lines, deep nesting, links,
pipes) are built at test time by MAKERS.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import yaml

from conftest import ROOT, run_cli

HOSTILE = os.path.join(ROOT, "tests", "hostile")
GOOD = os.path.join(ROOT, "specs", "2023", "it-operations.yaml")
GOOD_FINDING = ("PS201", 48)  # the bundled form's real defect: a deduction without a deviation note
TIME_LIMIT = 20  # seconds for one run over one input
MEMORY_LIMIT_MB = 300
MARKER = "hostile-pwned"
IN_PROCESS_LIMIT = 256 * 1024  # larger inputs are fixed and rendered only in the shared subprocess runs  # python-tag.yaml would `touch` this if tags ever ran

with open(os.path.join(HOSTILE, "manifest.yaml"), encoding="utf-8") as _handle:
    MANIFEST: list[dict[str, Any]] = yaml.safe_load(_handle)


def entry_id(entry: dict[str, Any]) -> str:
    return entry.get("file") or entry["make"]


def base_text() -> str:
    with open(os.path.join(HOSTILE, "base.yaml"), encoding="utf-8") as handle:
        return handle.read()


# --------------------------------------------------------------------------
# Inputs built at test time: name -> maker(folder) -> the path to pass, relative to folder.


class Unavailable(Exception):
    """This system cannot build the input (e.g. root reads any file)."""


def _write(folder: str, name: str, data: bytes | str) -> str:
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return name


def _binary_junk(folder: str) -> str:
    rng = random.Random(6)
    junk = bytes(rng.getrandbits(8) for _ in range(64 * 1024))
    return _write(folder, "binary-junk.yaml", junk)


def _ten_megabytes(folder: str) -> str:
    line = "# " + "注释" * 40 + "\n"
    return _write(folder, "ten-megabytes.yaml", base_text() + line * (10 * 1024 * 1024 // len(line.encode())))


def _megabyte_comment_line(folder: str) -> str:
    first, rest = base_text().split("\n", 1)
    return _write(folder, "megabyte-comment-line.yaml", first + "\n# " + "长" * 350_000 + "\n" + rest)


def _megabyte_value_line(folder: str) -> str:
    text = base_text().replace("department: 某区房屋管理局", "department: " + "某" * 350_000, 1)
    return _write(folder, "megabyte-value-line.yaml", text)


def _megabyte_line_of_dashes(folder: str) -> str:
    return _write(folder, "megabyte-line-of-dashes.yaml", "- " * 500_000 + "x\n")


def _flow(depth: int, closed: bool = True) -> Callable[[str], str]:
    def make(folder: str) -> str:
        name = f"flow-{depth}-{'deep' if closed else 'unclosed'}.yaml"
        text = "project: " + ("[" * depth + "]" * depth if closed else "{a: " * depth) + "\n"
        return _write(folder, name, text)

    return make


def _block_1500_deep(folder: str) -> str:
    return _write(folder, "block-1500-deep.yaml", "".join(" " * i + f"k{i}:\n" for i in range(1500)) + " " * 1500 + "v\n")


def _explicit_keys(folder: str) -> str:
    return _write(folder, "explicit-keys-100000-deep.yaml", "? " * 100_000 + "x\n")


def _sequence_compact(folder: str) -> str:
    return _write(folder, "sequence-30000-deep-compact.yaml", "- " * 30_000 + "x\n")


def _hundred_thousand_items(folder: str) -> str:
    return _write(folder, "hundred-thousand-items.yaml", "items:\n" + "- 1\n" * 100_001)


def _keys(name: str, count: int, anchors: bool = False) -> Callable[[str], str]:
    def make(folder: str) -> str:
        return _write(folder, name, "".join(f"k{i}: {'&a%d ' % i if anchors else ''}1\n" for i in range(count)))

    return make


def _folder_named_yaml(folder: str) -> str:
    os.mkdir(os.path.join(folder, "folder-named.yaml"))
    return "folder-named.yaml"


def _dangling_symlink(folder: str) -> str:
    os.symlink("no-such-target.yaml", os.path.join(folder, "dangling.yaml"))
    return "dangling.yaml"


def _symlink_loop(folder: str) -> str:
    os.symlink("loop-b.yaml", os.path.join(folder, "loop-a.yaml"))
    os.symlink("loop-a.yaml", os.path.join(folder, "loop-b.yaml"))
    return "loop-a.yaml"


def _folder_symlink_loop(folder: str) -> str:
    inner = os.path.join(folder, "looping-folder")
    os.mkdir(inner)
    os.symlink(".", os.path.join(inner, "self"))
    os.symlink(inner, os.path.join(inner, "back"))
    _write(inner, "form.yaml", base_text())
    return "looping-folder"


def _unreadable_as_root(folder: str) -> str:
    if not os.path.exists("/proc/self/mem"):
        raise Unavailable("no /proc/self/mem on this system")
    os.symlink("/proc/self/mem", os.path.join(folder, "unreadable.yaml"))
    return "unreadable.yaml"


def _no_read_permission(folder: str) -> str:
    if os.geteuid() == 0:
        raise Unavailable("root reads files whatever their mode (unreadable-as-root covers it)")
    name = _write(folder, "no-permission.yaml", base_text())
    os.chmod(os.path.join(folder, name), 0)
    return name


def _fifo(folder: str) -> str:
    if not hasattr(os, "mkfifo"):
        raise Unavailable("no FIFOs on this system")
    os.mkfifo(os.path.join(folder, "pipe.yaml"))
    return "pipe.yaml"


def _device(folder: str) -> str:
    if not os.path.exists("/dev/zero"):
        raise Unavailable("no /dev/zero on this system")
    os.symlink("/dev/zero", os.path.join(folder, "zero.yaml"))
    return "zero.yaml"


def _parent_is_a_file(folder: str) -> str:
    _write(folder, "plain-file", "year: 2023\n")
    return os.path.join("plain-file", "child.yaml")


MAKERS: dict[str, Callable[[str], str]] = {
    "binary-junk": _binary_junk,
    "ten-megabytes": _ten_megabytes,
    "megabyte-comment-line": _megabyte_comment_line,
    "megabyte-value-line": _megabyte_value_line,
    "megabyte-line-of-dashes": _megabyte_line_of_dashes,
    "flow-10000-deep": _flow(10_000),
    "flow-100000-deep": _flow(100_000),
    "flow-100000-unclosed": _flow(100_000, closed=False),
    "block-1500-deep": _block_1500_deep,
    "explicit-keys-100000-deep": _explicit_keys,
    "sequence-30000-deep-compact": _sequence_compact,
    "hundred-thousand-items": _hundred_thousand_items,
    "three-hundred-thousand-keys": _keys("three-hundred-thousand-keys.yaml", 300_000),
    "twenty-thousand-unknown-keys": _keys("twenty-thousand-unknown-keys.yaml", 20_000),
    "twenty-thousand-anchors": _keys("twenty-thousand-anchors.yaml", 20_000, anchors=True),
    "folder-named-yaml": _folder_named_yaml,
    "dangling-symlink": _dangling_symlink,
    "symlink-loop": _symlink_loop,
    "folder-symlink-loop": _folder_symlink_loop,
    "unreadable-as-root": _unreadable_as_root,
    "no-read-permission": _no_read_permission,
    "fifo": _fifo,
    "device": _device,
    "parent-is-a-file": _parent_is_a_file,
}


# --------------------------------------------------------------------------
# Running perfspec in a measured subprocess.

# Runs the command as its child and reports how it ended, how long it took and
# its peak RSS (getrusage of the children: only this one, and its own workers).
_MEASURE = r"""
import json, resource, subprocess, sys, time
report, limit, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
start = time.monotonic()
try:
    code = subprocess.run(command, timeout=limit).returncode
except subprocess.TimeoutExpired:
    code = "timeout"
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
rss_mb = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
with open(report, "w") as handle:
    json.dump({"code": code, "seconds": time.monotonic() - start, "rss_mb": rss_mb}, handle)
"""


@dataclass
class Run:
    argv: list[str]
    code: int | str  # "timeout" when it was killed at the limit
    out: str
    err: str
    seconds: float
    rss_mb: float

    def describe(self) -> str:
        return (
            f"perfspec {' '.join(self.argv)[:300]}\n-> {self.code} in {self.seconds:.1f} s, {self.rss_mb:.0f} MB\n"
            f"stdout: {self.out[-2000:]}\nstderr: {self.err[-2000:]}"
        )

    def assert_sound(self, codes: tuple[int, ...] = (0, 1, 2), limit: float = TIME_LIMIT) -> None:
        """No crash (a signal is a negative code), no hang, bounded memory, no traceback."""
        assert self.code in codes, self.describe()
        assert self.seconds < limit, self.describe()
        assert self.rss_mb < MEMORY_LIMIT_MB, self.describe()
        for stream in (self.out, self.err):
            assert "Traceback" not in stream, self.describe()
            assert "内部错误" not in stream and "internal error" not in stream, self.describe()


def perfspec(argv: list[str], cwd: str, limit: float = TIME_LIMIT) -> Run:
    report = os.path.join(cwd, f".measure-{os.getpid()}-{id(argv)}-{random.random()}.json")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-S", "-c", _MEASURE, report, str(limit), sys.executable, "-m", "perfspec", *argv]
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=limit + 60)
    try:
        with open(report, encoding="utf-8") as handle:
            measured = json.load(handle)
    finally:
        if os.path.exists(report):
            os.unlink(report)
    out, err = (stream.decode("utf-8", "replace") for stream in (proc.stdout, proc.stderr))
    return Run(argv, measured["code"], out, err, measured["seconds"], measured["rss_mb"])


# --------------------------------------------------------------------------
# The corpus and the runs, made once for the module.


@dataclass
class Input:
    entry: dict[str, Any]
    path: str = ""  # as passed on the command line, relative to the corpus folder
    unavailable: str = ""
    before: bytes | None = None  # the file's bytes, where it is a regular file
    alone: Run | None = None

    @property
    def id(self) -> str:
        return entry_id(self.entry)

    @property
    def shown(self) -> str:
        """The name perfspec prints for it."""
        return os.path.normpath(self.path)


@dataclass
class Corpus:
    folder: str
    inputs: dict[str, Input]
    goods: list[str] = field(default_factory=list)  # good copies, one after every input in the shared runs
    check: Run | None = None
    fix: Run | None = None
    render: dict[str, Run] = field(default_factory=dict)


def _snapshot(folder: str, path: str) -> bytes | None:
    full = os.path.join(folder, path)
    try:
        if stat.S_ISREG(os.lstat(full).st_mode):
            with open(full, "rb") as handle:
                return handle.read()
    except OSError:
        pass
    return None


BROKEN_GOOD = ("  rate: 99.62", "  rate: 1.00")  # fix must put it back


def _shared_argv(corpus: Corpus) -> list[str]:
    """good-000, input 1, good-001, input 2, good-002, ...: each input has a good form after it."""
    shared = [i for i in corpus.inputs.values() if not i.unavailable and not i.entry.get("aborts")]
    del corpus.goods[len(shared) + 1 :]
    argv = [corpus.goods[0]]
    for number, item in enumerate(shared, 1):
        argv += [item.path, corpus.goods[number]]
    return argv


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    folder = str(tmp_path_factory.mktemp("hostile"))
    inputs: dict[str, Input] = {}
    for entry in MANIFEST:
        item = Input(entry)
        if "file" in entry:
            shutil.copyfile(os.path.join(HOSTILE, entry["file"]), os.path.join(folder, entry["file"]))
            item.path = entry["file"]
        else:
            try:
                item.path = MAKERS[entry["make"]](folder)
            except Unavailable as exc:
                item.unavailable = str(exc)
        item.before = _snapshot(folder, item.path) if item.path else None
        inputs[item.id] = item
    corpus = Corpus(folder, inputs)

    goods = os.path.join(folder, "good")
    os.mkdir(goods)
    with open(GOOD, encoding="utf-8") as handle:
        good = handle.read()
    assert good.count(BROKEN_GOOD[0]) == 1
    assert good.count("project: 信息化运维项目 ") == 1
    for number in range(len(inputs) + 1):
        name = os.path.join("good", f"good-{number:03d}.yaml")
        # Each copy a project of its own: the same project twice in one year is PS015.
        _write(folder, name, good.replace("project: 信息化运维项目 ", f"project: 信息化运维项目（第 {number} 份） "))
        corpus.goods.append(name)

    jobs: dict[Any, Callable[[], Run]] = {}
    for item in inputs.values():
        if not item.unavailable:
            jobs[item.id] = lambda item=item: perfspec(["check", "--format", "json", item.path], folder)
    argv = _shared_argv(corpus)
    jobs["check"] = lambda: perfspec(["check", "--format", "json", *argv], folder, limit=120)
    for fmt in ("html", "md"):
        jobs[fmt] = lambda fmt=fmt: perfspec(["render", "--format", fmt, "-o", f"report-{fmt}", *argv], folder, limit=120)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        for key, future in futures.items():
            run = future.result()
            if key == "check":
                corpus.check = run
            elif key in ("html", "md"):
                corpus.render[key] = run
            else:
                inputs[key].alone = run

    # fix last, on its own: it writes. The good copies are broken first, so each must come back.
    for name in corpus.goods:
        _write(folder, name, good.replace(*BROKEN_GOOD))
    corpus.fix = perfspec(["fix", *argv], folder, limit=120)
    return corpus


def _get(corpus: Corpus, entry: dict[str, Any]) -> Input:
    item = corpus.inputs[entry_id(entry)]
    if item.unavailable:
        pytest.skip(item.unavailable)
    return item


def _findings(run: Run, shown: str) -> list[dict[str, Any]]:
    return [f for f in json.loads(run.out)["findings"] if f["file"] == shown]


def _matches(finding: dict[str, Any], want: dict[str, Any]) -> bool:
    return (
        finding["code"] == want["code"]
        and ("line" not in want or finding["line"] == want["line"])
        and ("path" not in want or finding["path"] == want["path"])
    )


def _expect_findings(found: list[dict[str, Any]], entry: dict[str, Any], context: str) -> None:
    shown = "\n".join(f"{f['line']}:{f['column']} {f['code']} {f['message'][:120]} ({f['path']})" for f in found[:40])
    for want in entry.get("findings", []):
        hits = [f for f in found if _matches(f, want)]
        assert hits, f"{want} not reported\n{shown}\n{context}"
        assert all(f["line"] >= 1 and f["column"] >= 1 for f in hits)
    if "message" in entry:
        first = next(f for f in found if _matches(f, entry["findings"][0]))
        assert entry["message"] in first["message"], first["message"]
    for code in entry.get("absent", []):
        assert not [f for f in found if f["code"] == code], f"{code} reported\n{shown}"
    for path in entry.get("clean", []):
        assert not [f for f in found if f["path"].startswith(path)], f"a finding at {path}\n{shown}"
    if "at_most" in entry:
        assert len(found) <= entry["at_most"], len(found)
    keys = [(f["code"], f["line"], f["column"], f["path"], f["message"]) for f in found]
    assert len(keys) == len(set(keys)), f"the same finding twice\n{shown}"


IDS = [entry_id(e) for e in MANIFEST]


# --------------------------------------------------------------------------
# The corpus itself.


def test_every_fixture_has_an_expected_outcome() -> None:
    listed = {e["file"] for e in MANIFEST if "file" in e}
    listed |= {e["fixed"] for e in MANIFEST if "fixed" in e}
    present = {n for n in os.listdir(HOSTILE) if n not in ("manifest.yaml", ".gitattributes")}
    assert present == listed
    assert {e["make"] for e in MANIFEST if "make" in e} == set(MAKERS)
    assert len(set(IDS)) == len(IDS)
    for entry in MANIFEST:
        assert ("findings" in entry) != ("stderr" in entry or "stdout" in entry), entry


# --------------------------------------------------------------------------
# check


@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_check_alone(corpus: Corpus, entry: dict[str, Any]) -> None:
    item = _get(corpus, entry)
    run = item.alone
    assert run is not None
    run.assert_sound(codes=(entry.get("exit", 1),))
    if "stderr" in entry:
        lines = run.err.splitlines()
        assert len(lines) == 1 and item.shown in lines[0] and entry["stderr"] in lines[0], run.describe()
        assert run.out == "" if entry.get("aborts") else json.loads(run.out)["findings"] == []
        return
    if "stdout" in entry:
        assert json.loads(run.out)["files"] == 0 and json.loads(run.out)["findings"] == [], run.describe()
        return
    assert run.err == "", run.describe()
    found = [f for f in json.loads(run.out)["findings"]]
    if not os.path.isdir(os.path.join(corpus.folder, item.path)):
        assert {f["file"] for f in found} == {item.shown}
    _expect_findings(found, entry, run.describe())


def test_check_beside_good_forms(corpus: Corpus) -> None:
    """One run over every input, a good form after each: every good form is still checked."""
    run = corpus.check
    assert run is not None
    run.assert_sound(codes=(2,), limit=120)  # 2: some inputs cannot be read at all
    findings = json.loads(run.out)["findings"]
    for good in corpus.goods:
        hits = [f for f in findings if f["file"] == os.path.normpath(good)]
        assert [(f["code"], f["line"]) for f in hits if f["severity"] == "error"] == [GOOD_FINDING], good
    errors = run.err.splitlines()
    for item in corpus.inputs.values():
        if item.unavailable or item.entry.get("aborts"):
            continue
        if "stderr" in item.entry:
            assert [line for line in errors if item.shown in line and item.entry["stderr"] in line], item.id
        elif "findings" in item.entry:
            mine = [f for f in findings if f["file"] == item.shown or f["file"].startswith(item.shown + os.sep)]
            _expect_findings(mine, item.entry, item.id)
    assert len(errors) == sum("stderr" in i.entry for i in corpus.inputs.values() if not i.unavailable and not i.entry.get("aborts"))


@pytest.mark.parametrize("entry", [e for e in MANIFEST if "values" in e], ids=[entry_id(e) for e in MANIFEST if "values" in e])
def test_values_are_read_as_written(entry: dict[str, Any]) -> None:
    """YAML 1.1 booleans, dates and sexagesimals stay text; what was written is what is read."""
    from perfspec.load.loader import load_file

    loaded = load_file(os.path.join(HOSTILE, entry["file"]))
    assert loaded.document is not None
    for dotted, expected in entry["values"].items():
        value: Any = loaded.document.data
        for part in dotted.replace("[", ".[").split("."):
            value = value[int(part[1:-1])] if part.startswith("[") else value[part]
        if isinstance(expected, str) and not isinstance(value, str):
            value = format(value, "f") if hasattr(value, "as_tuple") else value
        assert value == expected and type(value) is type(expected), (dotted, value)


def test_tags_never_run(corpus: Corpus) -> None:
    assert corpus.check is not None and corpus.fix is not None
    assert not os.path.exists(os.path.join(corpus.folder, MARKER))
    assert not os.path.exists(os.path.join(ROOT, MARKER))


# --------------------------------------------------------------------------
# fix


def test_fix_never_corrupts(corpus: Corpus) -> None:
    run = corpus.fix
    assert run is not None
    run.assert_sound(codes=(2,), limit=120)
    with open(GOOD, "rb") as handle:
        good = handle.read()
    for name in corpus.goods:  # every good copy after every hostile input was repaired
        assert _snapshot(corpus.folder, name) == good, name
    for item in corpus.inputs.values():
        if item.unavailable or item.entry.get("aborts"):
            continue
        after = _snapshot(corpus.folder, item.path)
        if "fixed" in item.entry:
            with open(os.path.join(HOSTILE, item.entry["fixed"]), "rb") as handle:
                assert after == handle.read(), item.id
        else:
            assert after == item.before, f"{item.id} was changed"
        if "fix_says" in item.entry:
            assert [line for line in run.err.splitlines() if item.shown in line and item.entry["fix_says"] in line]
    leftovers = [n for _, _, files in os.walk(corpus.folder) for n in files if n.startswith(".ps-") and n.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_fix_alone_in_process(corpus: Corpus, entry: dict[str, Any], tmp_path) -> None:
    """The one-file path (`fix FILE`), in-process once the subprocess runs showed it cannot crash."""
    item = _get(corpus, entry)
    assert item.alone is not None and item.alone.code in (0, 1, 2)
    if item.before is None or len(item.before) > IN_PROCESS_LIMIT:
        pytest.skip("not a regular file, or large: the shared subprocess run covers it")
    path = tmp_path / os.path.basename(item.path)
    path.write_bytes(item.before)
    result = run_cli("fix", str(path), cwd=str(tmp_path))
    assert result.code in (0, 1, 2) and "Traceback" not in result.err and "内部错误" not in result.err
    if "fixed" in entry:
        assert result.code == 1
        with open(os.path.join(HOSTILE, entry["fixed"]), "rb") as handle:
            assert path.read_bytes() == handle.read()
    else:
        assert result.code in (0, 2) and result.out == "" and path.read_bytes() == item.before
    if "fix_says" in entry:
        assert entry["fix_says"] in result.err


# --------------------------------------------------------------------------
# render


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_render_beside_good_forms(corpus: Corpus, fmt: str) -> None:
    run = corpus.render[fmt]
    run.assert_sound(codes=(0,), limit=120)
    out = os.path.join(corpus.folder, f"report-{fmt}")
    with open(os.path.join(out, "index.html" if fmt == "html" else "README.md"), encoding="utf-8") as handle:
        index = handle.read()
    for name in corpus.goods:
        slug = os.path.splitext(os.path.basename(name))[0]
        assert os.path.exists(os.path.join(out, slug + (".html" if fmt == "html" else ".md"))), name
        assert slug in index
    for item in corpus.inputs.values():
        if item.unavailable or item.entry.get("aborts"):
            continue
        if item.before is not None and "fixed" not in item.entry:
            assert _snapshot(corpus.folder, item.path) == item.before, item.id
    never = [s for e in MANIFEST for s in e.get("render_never", [])]
    for name in os.listdir(out):
        with open(os.path.join(out, name), encoding="utf-8") as handle:
            text = handle.read()
        for bad in never:
            assert bad not in text, (name, bad)


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_render_alone_in_process(corpus: Corpus, entry: dict[str, Any], fmt: str) -> None:
    item = _get(corpus, entry)
    assert item.alone is not None and item.alone.code in (0, 1, 2)
    if entry.get("aborts"):
        pytest.skip("a usage error: nothing is rendered")
    if item.before is not None and len(item.before) > IN_PROCESS_LIMIT:
        pytest.skip("large: the shared subprocess runs render it")
    before = _snapshot(corpus.folder, item.path)
    result = run_cli("render", "--format", fmt, item.path, cwd=corpus.folder)
    assert "Traceback" not in result.err and "内部错误" not in result.err
    if os.path.isdir(os.path.join(corpus.folder, item.path)):
        assert result.code == 0
        return
    assert result.code in (0, 1), result.err
    if result.code == 1:  # one line, naming the file
        assert len(result.err.splitlines()) == 1 and item.shown in result.err and result.out == ""
    for bad in entry.get("render_never", []):
        assert bad not in result.out
    assert _snapshot(corpus.folder, item.path) == before


def test_markdown_rows_survive_injection(corpus: Corpus) -> None:
    result = run_cli("render", "--format", "md", "markup-injection.yaml", cwd=corpus.folder)
    assert result.code == 0
    lines = result.out.splitlines()
    rows = [n for n, line in enumerate(lines) if "伪造的行" in line and line.startswith("|")]
    assert rows
    cells = lambda line: len(re.findall(r"(?<!\\)\|", line))  # noqa: E731 - unescaped pipes
    for n in rows:  # as many cells as the row above it, in the same table
        assert lines[n - 1].startswith("|") and cells(lines[n]) == cells(lines[n - 1]), lines[n]


# --------------------------------------------------------------------------
# The bugs this corpus found, one small test each (they failed before the fix).


def test_compact_block_nesting_is_refused_before_composing() -> None:
    from perfspec.load.loader import load_text

    for text in ("- " * 30_000 + "x\n", "? " * 30_000 + "x\n", "- ? " * 20_000 + "x\n"):
        result = load_text(text, "deep.yaml")  # segfaulted in the C composer
        assert result.document is None and [f.code for f in result.findings] == ["PS004"]


def test_a_fifo_is_not_opened_for_reading(tmp_path) -> None:
    from perfspec.load.loader import load_file

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(tmp_path / "pipe.yaml")
    result = load_file(str(tmp_path / "pipe.yaml"))  # waited forever for a writer
    assert result.document is None and result.io_error and "不是普通文件" in result.io_error


def test_many_values_are_refused_before_composing() -> None:
    from perfspec.load.loader import load_text

    result = load_text("".join(f"k{i}:\n" for i in range(120_000)), "wide.yaml")  # 300 MB to compose
    assert result.document is None and [f.code for f in result.findings] == ["PS004"]


def test_unknown_keys_are_listed_in_linear_time_and_bounded() -> None:
    import time

    from perfspec.load.schema_check import MAX_FINDINGS, validate

    data = {f"k{i}": 1 for i in range(40_000)}
    start = time.monotonic()
    found = list(validate(data))
    assert time.monotonic() - start < 10  # was quadratic: minutes
    assert len(found) == MAX_FINDINGS + 1 and "只列出了前" in found[-1][2]


def test_a_missing_key_is_reported_once() -> None:
    from perfspec.load.schema_check import validate

    found = [zh for _, _, zh, _ in validate({"year": 2023, "funds": {}})]
    assert len(found) == len(set(found)), found  # was: each missing key once per missing key


@pytest.mark.parametrize("text", ["1_000", "0x10", ".inf", "-.nan", "1e3", "1E5", "0o17", "0b101"])
def test_programmers_numbers_are_unreadable_not_qualitative(text: str) -> None:
    from perfspec.form.quantity import Kind, parse_actual, parse_target

    for parse in (parse_target, parse_actual):
        quantity = parse(text)
        assert quantity is not None and quantity.kind is Kind.INVALID, quantity


def test_an_exponent_is_not_a_unit() -> None:
    from perfspec.form.quantity import Kind, parse_target

    quantity = parse_target("≥1e3")
    assert quantity is not None and quantity.kind is Kind.INVALID  # was: 1 with the unit "e3"
    assert parse_target("5m3").unit == "m3"  # a cubic metre is still a unit


@pytest.mark.parametrize(
    "text,line,column", [("a: {", 1, 5), ("{", 1, 2), ("\n{", 2, 2), ("x: [a, {b: ", 1, 12), ("a: {b: 1", 1, 4)]
)
def test_a_syntax_error_is_located_inside_the_file(text: str, line: int, column: int) -> None:
    from perfspec.load.loader import load_text

    [finding] = load_text(text, "f.yaml").findings  # was: a line past the end, or "bracket opened" at the end
    assert (finding.code, finding.line, finding.column) == ("PS001", line, column)
    assert "无法解析" not in finding.message
