"""The whole benchmark in one command: perfspec against its peers, on the same files.

    pip install -e '.[bench]'          # perfspec plus the peers: yamale, check-jsonschema
    python benchmarks/run.py           # sizes 100, 1000, 10000; prints a Markdown table
    python benchmarks/run.py --sizes 300 --quick   # the CI smoke run: correctness only matters

Every tool runs as a cold process (start to exit), as a pre-commit hook or CI
job would run it. Peers that are not installed are reported as such. The
run exits 1 if perfspec misses a planted defect or reports an error on a
clean form, whatever the timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

SCHEMA = os.path.join(ROOT, "schema", "perfspec.schema.json")
YAMALE_SCHEMA = os.path.join(HERE, "yamale-schema.yaml")


def tool(name: str) -> str | None:
    """A console script next to this interpreter first (the venv being measured), then PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def timed(argv: list[str], repeat: int, cwd: str | None = None) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """Median wall time of `repeat` cold runs."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def peak_rss_mb(argv: list[str]) -> float:
    """Peak resident memory of a command and its workers, measured in a fresh wrapper process."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    return int(out.stdout.strip() or 0) / 1024


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


def machine() -> str:
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")), "")
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu or platform.processor()}, {cores} cores, Python {platform.python_version()}, {platform.system()}"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def main() -> int:
    parser = argparse.ArgumentParser(description="perfspec benchmark")
    parser.add_argument("--sizes", default="100,1000,10000", help="corpus sizes, comma separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement below 5,000 forms (median)")
    parser.add_argument("--latency-runs", type=int, default=11)
    parser.add_argument("--render-size", type=int, default=1000)
    parser.add_argument("--work", help="folder for the generated corpora (default: a temp folder)")
    parser.add_argument("--quick", action="store_true", help="correctness and one timing per size only (CI)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = args.work or tempfile.mkdtemp(prefix="perfspec-bench-")
    installed = tool("perfspec")
    # Without an installed console script, run this checkout's package (slower start: no entry point).
    perfspec = [installed] if installed else [sys.executable, "-m", "perfspec"]
    if not installed:
        os.environ["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
    yamale, cjs = tool("yamale"), tool("check-jsonschema")
    python = sys.executable
    rows: list[tuple[str, str, str]] = []
    print(f"Machine: {machine()}")
    print(f"Corpora in {work}\n")

    ok = True
    times: dict[tuple[str, int], float] = {}
    for size in sizes:
        folder = corpus(work, size)
        files = spec_files(folder)
        planted, hits, false, problems = correctness(perfspec, folder)
        rows.append((f"correctness, {size} forms", f"{hits}/{planted} planted defects found, {false} false errors",
                     "pass" if hits == planted and not false else "FAIL"))
        if problems:
            ok = False
            print("\n".join(problems[:20]), file=sys.stderr)
        repeat = 1 if size >= 5000 or args.quick else args.repeat
        times[("perfspec", size)], _ = timed([*perfspec, "check", "--profile", "national", folder], repeat)
        if args.quick:
            continue
        times[("libyaml", size)], _ = timed(
            [python, "-c", "import sys, yaml\nfor p in sys.argv[1:]:\n    yaml.load(open(p, 'rb'), Loader=yaml.CSafeLoader)", *files],
            repeat,
        )
        if yamale:
            times[("yamale", size)], _ = timed([yamale, "-s", YAMALE_SCHEMA, folder], repeat)
        if cjs:
            times[("check-jsonschema", size)], _ = timed([cjs, "--schemafile", SCHEMA, *files], repeat)

    biggest = sizes[-1]
    big_folder = corpus(work, biggest)
    p = times[("perfspec", biggest)]
    if not args.quick:
        rows.append((f"throughput, {biggest} forms: perfspec ÷ yamale", ratio(p, times.get(("yamale", biggest))), "goal ≤ 1.00×"))
        rows.append((f"throughput, {biggest} forms: perfspec ÷ check-jsonschema", ratio(p, times.get(("check-jsonschema", biggest))), "goal ≤ 0.25×"))
        rows.append((f"throughput, {biggest} forms: perfspec ÷ libyaml load alone", ratio(p, times.get(("libyaml", biggest))), "goal ≤ 2.50×"))
        one = spec_files(corpus(work, sizes[0]))[0]
        lat_p, _ = timed([*perfspec, "check", "--profile", "national", one], args.latency_runs)
        lat_y = timed([yamale, "-s", YAMALE_SCHEMA, one], args.latency_runs)[0] if yamale else None
        lat_c = timed([cjs, "--schemafile", SCHEMA, one], args.latency_runs)[0] if cjs else None
        lat_py = timed([python, "-c", "pass"], args.latency_runs)[0]
        rows.append(("latency, one form: perfspec ÷ yamale", ratio(lat_p, lat_y), "goal ≤ 1.00×"))
        rows.append(("latency, one form: perfspec ÷ check-jsonschema", ratio(lat_p, lat_c), "goal ≤ 0.35×"))
        per_form = [f"{size}: {times[('perfspec', size)] / size * 1000:.2f} ms/form" for size in sizes]
        rows.append(("scaling (perfspec, per form)", ", ".join(per_form), "linear"))
        rows.append((f"peak memory, {biggest} forms", f"{peak_rss_mb([*perfspec, 'check', '--profile', 'national', big_folder]):.0f} MB", "goal ≤ 150 MB"))
        serial, out1 = timed([*perfspec, "check", "--profile", "national", "--jobs", "1", big_folder], 1)
        _, out2 = timed([*perfspec, "check", "--profile", "national", big_folder], 1)
        same = out1.stdout == out2.stdout
        rows.append((f"parallelism, {biggest} forms: default ÷ --jobs 1", ratio(p, serial), "output identical" if same else "OUTPUT DIFFERS"))
        ok = ok and same
        render_dir = os.path.join(work, "render")
        render_src = corpus(work, args.render_size)
        if subprocess.run([*perfspec, "render", "--help"], capture_output=True).returncode == 0:
            shutil.rmtree(render_dir, ignore_errors=True)
            r_time, r_out = timed([*perfspec, "render", render_src, "--format", "html", "-o", render_dir], 1)
            rows.append((f"render {args.render_size} forms to HTML", f"{r_time:.1f} s (exit {r_out.returncode})", "goal ≤ 10 s"))
        rows.append(("absolute times (s)", "; ".join(f"{tool_} {size}: {t:.2f}" for (tool_, size), t in sorted(times.items())), ""))
        rows.append(("process start of this Python (ms)", f"{lat_py * 1000:.0f}; one form: perfspec {lat_p * 1000:.0f}"
                     + (f", yamale {lat_y * 1000:.0f}" if lat_y else "") + (f", check-jsonschema {lat_c * 1000:.0f}" if lat_c else ""), ""))
    else:
        rows.append(("time (s)", "; ".join(f"{size} forms: {times[('perfspec', size)]:.2f}" for size in sizes), "no goal in --quick"))

    print("| measure | result | goal / status |")
    print("| --- | --- | --- |")
    for measure, result, goal in rows:
        print(f"| {measure} | {result} | {goal} |")
    if not yamale or not cjs:
        print("\n(peers missing: install them with pip install -e '.[bench]')")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
