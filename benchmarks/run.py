"""The whole benchmark in one command: perfspec against its peers and against libyaml's floor.

    pip install -e '.[bench]'          # perfspec plus the peers: yamale, check-jsonschema
    python benchmarks/run.py           # check at 1, 100, 1,000, 10,000 forms; export, render, diff, import
    python benchmarks/run.py --sizes 100,1000 --export-sizes 1000 --skip render,diff
    python benchmarks/run.py --sizes 300 --quick   # the CI smoke run: correctness and the table's shape

Every tool runs as a cold process (start to exit), as a pre-commit hook or CI
job would run it, from a folder without a .perfspec.yaml. The perfspec measured
is this checkout's (its package on PYTHONPATH, started as the console script
starts it), whatever `perfspec` is on PATH.

References:
- libyaml floor: `yaml.load(open(p, 'rb'), Loader=yaml.CSafeLoader)` of the same files in one
  process, and the files split between two processes started together;
- start-up: `python -c "import yaml"`;
- peers: yamale (benchmarks/yamale-schema.yaml) and check-jsonschema (schema/perfspec.schema.json).

Comparisons alternate their commands run by run (A B A B ...) and take each one's median,
so a machine that drifts moves both sides. The table has one row per figure:
figure, value, reference, ratio, the issue's bound, pass/FAIL. The run exits 1 if
perfspec misses a planted defect, reports an error on a clean form, or prints a
different report on two processes than on one, whatever the timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

SCHEMA = os.path.join(ROOT, "schema", "perfspec.schema.json")
YAMALE_SCHEMA = os.path.join(HERE, "yamale-schema.yaml")
IMPORT_SAMPLE = os.path.join(ROOT, "tests", "data", "2023-shanghai-real-estate-trading-center.txt")
# What the installed console script runs, so start-up is measured as users pay it.
ENTRY = "import sys; from perfspec.cli import main_entry; sys.argv[0] = 'perfspec'; sys.exit(main_entry())"
# The floor: libyaml's own loader, nothing else, over the files (or every n-th of them) of a folder.
FLOOR = (
    "import os, sys, yaml\n"
    "folder, part, parts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])\n"
    "names = sorted(n for n in os.listdir(folder) if n.endswith('.yaml'))[part::parts]\n"
    "for n in names:\n"
    "    with open(os.path.join(folder, n), 'rb') as f:\n"
    "        yaml.load(f, Loader=yaml.CSafeLoader)\n"
)

Row = tuple[str, str, str, str, str, str]  # figure, value, reference, ratio, bound, status


def tool(name: str) -> str | None:
    """A console script next to this interpreter first (the venv being measured), then PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def run_once(argv: list[str], cwd: str | None = None) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, cwd=cwd)
    return time.perf_counter() - start, result


def together(argvs: list[list[str]], cwd: str | None = None) -> float:
    """Wall time of several commands started at once, until the last one ends."""
    start = time.perf_counter()
    procs = [subprocess.Popen(a, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd) for a in argvs]
    for proc in procs:
        proc.wait()
    return time.perf_counter() - start


def alternate(commands: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """Median seconds of each command, the commands taking turns run by run."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(command())
    return {name: statistics.median(values) for name, values in times.items()}


def cold(argv: list[str], cwd: str | None = None) -> Callable[[], float]:
    return lambda: run_once(argv, cwd)[0]


def peak(argv: list[str], cwd: str | None = None) -> tuple[float, float, int]:
    """(seconds, peak resident MB of the largest process, exit code) of a command, in a fresh wrapper."""
    code = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(json.dumps([time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode]))"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd)
    seconds, kib, rc = json.loads(out.stdout)
    return seconds, kib / 1024, rc


def corpus(work: str, size: int) -> str:
    folder = os.path.join(work, f"forms-{size}")
    if not os.path.exists(os.path.join(folder, "manifest.json")):
        generate(folder, size)
    return folder


def spec_files(folder: str) -> list[str]:
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".yaml"))


def correctness(perfspec: list[str], folder: str) -> tuple[int, int, int, list[str]]:
    """(planted, found, false errors, problems) of perfspec on a corpus, national profile."""
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as handle:
        manifest: dict[str, list[str]] = json.load(handle)
    out = subprocess.run(
        [*perfspec, "check", "--format", "json", "--profile", "national", folder],
        capture_output=True, text=True, cwd=folder,
    )
    found: dict[str, set[str]] = {}
    for finding in json.loads(out.stdout)["findings"]:
        if finding["severity"] == "error":
            found.setdefault(os.path.basename(finding["file"]), set()).add(finding["code"])
    planted = sum(len(v) for v in manifest.values())
    hits = sum(1 for name, codes in manifest.items() for code in codes if code in found.get(name, set()))
    false = sum(len(found.get(name, set()) - set(codes)) for name, codes in manifest.items())
    problems = [
        f"{name}: expected {sorted(codes)}, got {sorted(found.get(name, set()))}"
        for name, codes in manifest.items()
        if set(codes) != found.get(name, set())
    ]
    return planted, hits, false, problems


def clean_form(folder: str) -> str:
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as handle:
        manifest: dict[str, list[str]] = json.load(handle)
    return os.path.join(folder, next(name for name, codes in sorted(manifest.items()) if not codes))


def schema_error_form(work: str, clean: str) -> str:
    """The clean form with one indicator's weight written as text (`weight: 十五`): a PS010 finding."""
    folder = os.path.join(work, "schema-error")
    os.makedirs(folder, exist_ok=True)
    with open(clean, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("        weight: "))
    lines[at] = "        weight: 十五"
    path = os.path.join(folder, "form.yaml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    return path


def git(repo: str, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True,
    )


def diff_repo(work: str, size: int, changed: int) -> str:
    """A git repository of `size` forms in specs/, whose last commit changes `changed` of them."""
    repo = os.path.join(work, f"diff-{size}-{changed}")
    if os.path.exists(os.path.join(repo, ".git")):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(corpus(work, size), os.path.join(repo, "specs"), ignore=shutil.ignore_patterns("manifest.json"))
    git(repo, "init", "-q")
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "base")
    files = spec_files(os.path.join(repo, "specs"))
    step = max(1, len(files) // changed)
    for path in files[::step][:changed]:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text.replace("  achieved: ", "  achieved: 经复核，", 1))
    git(repo, "commit", "-q", "-a", "-m", "change")
    return repo


def import_text(work: str, copies: int) -> str:
    """The bundled nine-form text extraction, `copies` times over: one file of 9 × copies forms."""
    path = os.path.join(work, f"import-{copies}.txt")
    with open(IMPORT_SAMPLE, encoding="utf-8") as handle:
        sample = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join([sample] * copies))
    return path


def machine() -> str:
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")), "")
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return f"{cpu or platform.processor()}, {cores} cores, Python {platform.python_version()}, {platform.system()}, load {load}"


def judged(figure: str, value: float, unit: str, reference: str, ref: float | None, bound: float | None, bound_text: str = "") -> Row:
    """A row comparing `value` with `ref` (a ratio) or, without `ref`, with an absolute bound."""
    shown = f"{value:.3f} {unit}" if unit == "s" else f"{value:.0f} {unit}"
    if ref is not None:
        r = value / ref if ref else float("inf")
        status = "–" if bound is None else ("pass" if r <= bound else "FAIL")
        return (figure, shown, reference, f"{r:.2f}×", bound_text or (f"≤ {bound:.2f}×" if bound is not None else "–"), status)
    status = "–" if bound is None else ("pass" if value <= bound else "FAIL")
    return (figure, shown, reference or "–", "–", bound_text or (f"≤ {bound:g} {unit}" if bound is not None else "–"), status)


def main() -> int:
    parser = argparse.ArgumentParser(description="perfspec benchmark")
    parser.add_argument("--sizes", default="1,100,1000,10000", help="check: corpus sizes, comma separated")
    parser.add_argument("--repeat", type=int, default=5, help="runs per comparison below 5,000 forms (median)")
    parser.add_argument("--repeat-big", type=int, default=3, help="runs per comparison from 5,000 forms")
    parser.add_argument("--latency-runs", type=int, default=11, help="runs of the one-form comparisons")
    parser.add_argument("--export-sizes", default="1000,10000", help="export --to xlsx: corpus sizes")
    parser.add_argument("--render-size", type=int, default=1000)
    parser.add_argument("--diff-size", type=int, default=10000)
    parser.add_argument("--diff-changed", type=int, default=10)
    parser.add_argument("--import-copies", default="10,100", help="import: copies of the nine-form sample text")
    parser.add_argument("--cjs-max", type=int, default=1000, help="check-jsonschema up to this many forms (it is slow)")
    parser.add_argument("--skip", default="", help="figures to leave out: peers,export,render,diff,import,memory")
    parser.add_argument("--work", help="folder for the generated corpora (default: a temp folder)")
    parser.add_argument(
        "--quick", action="store_true",
        help="CI: one run per figure, the other figures on a few forms; timings are printed, not judged",
    )
    args = parser.parse_args()
    if args.quick:
        args.repeat = args.repeat_big = args.latency_runs = 1
        args.export_sizes, args.render_size, args.diff_size, args.diff_changed, args.import_copies = "10,20", 20, 20, 2, "1,2"
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="perfspec-bench-"))
    os.makedirs(work, exist_ok=True)
    os.environ["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
    # Bytecode cached as an installed package has it (pip compiles on install): a checkout run
    # under PYTHONDONTWRITEBYTECODE would time the compiler instead. Kept out of the checkout.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = os.path.join(work, "pycache")
    python = sys.executable
    perfspec = [python, "-c", ENTRY]
    yamale = tool("yamale") if "peers" not in skip else None
    cjs = tool("check-jsonschema") if "peers" not in skip else None
    rows: list[Row] = []
    print(f"Machine: {machine()}")
    print(f"Corpora in {work}; perfspec from {ROOT}; bytecode cached in {work}/pycache\n")

    def bound(issue: float, size: int, at: int) -> float | None:
        return issue if size == at and not args.quick else None

    # Warm-up, not timed: fills the bytecode cache of the check path and of the schema-error path.
    warm = clean_form(corpus(work, max(sizes[0], 8)))
    for path in (warm, schema_error_form(work, warm)):
        run_once([*perfspec, "check", "--profile", "national", path], work)

    ok = True
    check_times: dict[int, float] = {}
    for size in sizes:
        folder = corpus(work, size)
        planted, hits, false, problems = correctness(perfspec, folder)
        good = hits == planted and not false
        rows.append((f"check {size}: correctness", f"{hits}/{planted} planted defects found, {false} false errors",
                     "manifest.json", "–", "all found, none false", "pass" if good else "FAIL"))
        if problems:
            ok = False
            print("\n".join(problems[:20]), file=sys.stderr)
        repeat = args.repeat_big if size >= 5000 else args.repeat
        commands: dict[str, Callable[[], float]] = {
            "perfspec": cold([*perfspec, "check", "--profile", "national", folder], work),
        }
        if not args.quick:
            commands["libyaml 1 process"] = cold([python, "-c", FLOOR, folder, "0", "1"], work)
            commands["libyaml 2 processes"] = lambda f=folder: together(
                [[python, "-c", FLOOR, f, str(i), "2"] for i in range(2)], work)
            if yamale:
                commands["yamale"] = cold([yamale, "-s", YAMALE_SCHEMA, folder], work)
            if cjs and size <= args.cjs_max:
                commands["check-jsonschema"] = cold([cjs, "--schemafile", SCHEMA, *spec_files(folder)], work)
        t = alternate(commands, repeat)
        check_times[size] = p = t["perfspec"]
        rows.append(judged(f"check {size}: perfspec", p, "s", "–", None, None))
        for name, issue in (("yamale", {10000: 0.6, 100: 1.0}), ("libyaml 1 process", {10000: 0.65}),
                            ("libyaml 2 processes", {}), ("check-jsonschema", {})):
            if name in t:
                rows.append(judged(f"check {size}: perfspec ÷ {name}", p, "s", f"{name} {t[name]:.3f} s", t[name],
                                   None if args.quick else issue.get(size)))
            elif not args.quick and name in ("yamale", "check-jsonschema") and "peers" not in skip and tool(name) is None:
                rows.append((f"check {size}: perfspec ÷ {name}", "–", f"{name} not installed", "–", "–", "–"))

    one = clean_form(corpus(work, max(sizes[0], 8)))  # one form in eight has a planted defect
    bad = schema_error_form(work, one)
    one_form = [*perfspec, "check", "--profile", "national", one]
    commands = {
        "perfspec": cold(one_form, work),
        "import yaml": cold([python, "-c", "import yaml"], work),
        "python": cold([python, "-c", "pass"], work),
        "schema error": cold([*perfspec, "check", "--profile", "national", bad], work),
    }
    if yamale:
        commands["yamale"] = cold([yamale, "-s", YAMALE_SCHEMA, one], work)
    t = alternate(commands, args.latency_runs)
    rows.append(judged("one form: perfspec ÷ python -c 'import yaml'", t["perfspec"], "s",
                       f"import yaml {t['import yaml']:.3f} s", t["import yaml"], None if args.quick else 1.4))
    rows.append(judged("one form: perfspec ÷ python -c pass", t["perfspec"], "s", f"python {t['python']:.3f} s", t["python"], None))
    if "yamale" in t:
        rows.append(judged("one form: perfspec ÷ yamale", t["perfspec"], "s", f"yamale {t['yamale']:.3f} s", t["yamale"], None))
    _, error_run = run_once([*perfspec, "check", "--profile", "national", "--format", "json", bad], work)
    codes = {f["code"] for f in json.loads(error_run.stdout or b'{"findings": []}')["findings"]}
    rows.append(judged("one form with a schema error ÷ the same form clean", t["schema error"], "s",
                       f"clean {t['perfspec']:.3f} s", t["perfspec"], None if args.quick else 1.2))
    if "PS010" not in codes:
        ok = False
        rows.append(("one form with a schema error: findings", ", ".join(sorted(codes)) or "none", "PS010 expected", "–", "–", "FAIL"))

    biggest = sizes[-1]
    big_folder = corpus(work, biggest)
    if "memory" not in skip:
        _, mb, _ = peak([*perfspec, "check", "--profile", "national", big_folder], work)
        rows.append(judged(f"check {biggest}: peak memory (largest process)", mb, "MB", "–", None, None))
    serial, out1 = run_once([*perfspec, "check", "--profile", "national", "--jobs", "1", big_folder], work)
    parallel, out2 = run_once([*perfspec, "check", "--profile", "national", big_folder], work)
    same = out1.stdout == out2.stdout
    ok = ok and same
    rows.append(judged(f"check {biggest}: default jobs ÷ --jobs 1", parallel, "s", f"--jobs 1 {serial:.3f} s", serial, None))
    rows.append((f"check {biggest}: report, default jobs vs --jobs 1", "identical" if same else "DIFFERENT",
                 "–", "–", "identical", "pass" if same else "FAIL"))

    if "export" not in skip:
        export_sizes = sorted(int(s) for s in args.export_sizes.split(","))
        per_form: dict[int, float] = {}
        for size in export_sizes:
            out = os.path.join(work, f"export-{size}.xlsx")
            seconds, mb, rc = peak([*perfspec, "export", "--to", "xlsx", "--profile", "national", "-o", out, corpus(work, size)], work)
            per_form[size] = mb / size
            rows.append(judged(f"export xlsx {size}: peak memory", mb, "MB", f"{seconds:.1f} s, exit {rc}", None,
                               bound(300, size, 10000), "≤ 300 MB at 10,000" if size == 10000 else ""))
        if len(export_sizes) > 1:
            a, b = export_sizes[0], export_sizes[-1]
            rows.append((f"export xlsx: peak MB per form, {b} ÷ {a}", f"{per_form[b] * 1024:.1f} KB/form",
                         f"{per_form[a] * 1024:.1f} KB/form", f"{per_form[b] / per_form[a]:.2f}×", "≤ 1.00× (no growth)",
                         "–" if args.quick else ("pass" if per_form[b] <= per_form[a] else "FAIL")))

    if "render" not in skip:
        source = corpus(work, args.render_size)
        help_text = subprocess.run([*perfspec, "render", "--help"], capture_output=True, text=True).stdout
        render = [*perfspec, "render", "--profile", "national", "--format", "html", "-o", os.path.join(work, "render"), source]
        if "--jobs" in help_text:
            t = alternate({"default": cold(render, work), "one": cold([*render, "--jobs", "1"], work)}, 1 if args.quick else 2)
            rows.append(judged(f"render {args.render_size}: default jobs ÷ --jobs 1", t["default"], "s",
                               f"--jobs 1 {t['one']:.3f} s", t["one"], bound(1.0, args.render_size, 1000)))
        else:
            seconds, _ = run_once(render, work)
            rows.append((f"render {args.render_size}: default jobs", f"{seconds:.3f} s", "render has no --jobs", "–", "–", "–"))

    if "diff" not in skip:
        repo = diff_repo(work, args.diff_size, args.diff_changed)
        commands = {"diff": cold([*perfspec, "diff", "--profile", "national", "HEAD~1", "HEAD"], repo)}
        t = alternate(commands, 1 if args.quick else 3)
        _, result = run_once([*perfspec, "diff", "--profile", "national", "HEAD~1", "HEAD"], repo)
        rows.append(judged(f"diff: {args.diff_changed} changed of {args.diff_size} forms", t["diff"], "s",
                           f"exit {result.returncode}", None, bound(1.0, args.diff_size, 10000), "< 1 s at 10,000"))
        if result.returncode not in (0, 1):
            ok = False
            print(result.stderr.decode("utf-8", "replace")[-2000:], file=sys.stderr)

    if "import" not in skip:
        copies = sorted(int(s) for s in args.import_copies.split(","))
        per_form_s: dict[int, float] = {}
        for count in copies:
            text = import_text(work, count)
            out = os.path.join(work, f"imported-{count}")
            shutil.rmtree(out, ignore_errors=True)
            # The smallest text takes a second or two: one run of it swings with the machine, so it is the median of three.
            runs = [] if count == copies[0] and not args.quick and len(copies) > 1 else None
            seconds, result = run_once([*perfspec, "import", "--from", "text", "-o", out, text], work)
            if runs is not None:
                runs.append(seconds)
                for _ in range(2):
                    shutil.rmtree(out, ignore_errors=True)
                    runs.append(run_once([*perfspec, "import", "--from", "text", "-o", out, text], work)[0])
                seconds = statistics.median(runs)
            forms = len([n for n in os.listdir(out) if n.endswith(".yaml")]) if os.path.isdir(out) else 0
            per_form_s[count] = seconds / max(forms, 1)
            rows.append(judged(f"import text: {9 * count} forms", seconds, "s", f"{forms} specs written, exit {result.returncode}", None, None))
        if len(copies) > 1:
            a, b = copies[0], copies[-1]
            rows.append((f"import text: seconds per form, {9 * b} ÷ {9 * a}", f"{per_form_s[b] * 1000:.1f} ms/form",
                         f"{per_form_s[a] * 1000:.1f} ms/form", f"{per_form_s[b] / per_form_s[a]:.2f}×", "≤ 1.00× (linear)",
                         "–" if args.quick else ("pass" if per_form_s[b] <= per_form_s[a] else "FAIL")))

    per_form = ", ".join(f"{size}: {check_times[size] / size * 1000:.2f} ms" for size in sizes)
    rows.append(("check: seconds per form", per_form, "–", "–", "–", "–"))

    print("| figure | value | reference | ratio | bound | status |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if args.quick:
        print("\n(--quick: one run per figure on small corpora; timings are shown, not judged)")
    if "peers" not in skip and (not yamale or not cjs):
        print("\n(peers missing: install them with pip install -e '.[bench]')")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
