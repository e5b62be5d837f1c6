"""Damaged copies of every real form's text, imported as `perfspec import` does: how many crash.

A copy from a web page arrives cut off, with lines lost, swapped or run together, and with its
separators changed. For every raw text under tests/data/real-forms*/raw/ this makes COPIES damaged
copies (seeded, so a run is repeatable), imports each and writes its YAML as the command would (the
writer checks that the YAML loads back). An importer error that is a clear one-line refusal
(NotAForm, ImportError's kin: the command's exit 1 or 2) is fine; anything else is a crash and is
listed with the mutation that caused it.

    python benchmarks/import_robustness.py [--copies 75] [--seed 1]
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from perfspec.importers import NotAForm  # noqa: E402
from perfspec.importers import text as text_import  # noqa: E402
from perfspec.importers.write import render  # noqa: E402


def _truncate(lines: list[str], rng: random.Random) -> list[str]:
    return lines[: rng.randrange(1, max(2, len(lines)))]


def _drop(lines: list[str], rng: random.Random) -> list[str]:
    return [line for line in lines if rng.random() > 0.1]


def _swap(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(max(1, len(lines) // 20)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return lines


def _separators(lines: list[str], rng: random.Random) -> list[str]:
    old, new = rng.choice([("|", "\t"), ("\t", " | "), (" ", "\t"), ("|", ""), ("\t", "  ")])
    return [line.replace(old, new) for line in lines]


def _join(lines: list[str], rng: random.Random) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and rng.random() < 0.2:
            out[-1] += rng.choice(["", " ", "\t"]) + line
        else:
            out.append(line)
    return out


def _cut_inside(lines: list[str], rng: random.Random) -> list[str]:
    text = "\n".join(lines)
    return text[: rng.randrange(1, max(2, len(text)))].split("\n")


MUTATIONS = {"truncate": _truncate, "drop": _drop, "swap": _swap, "separators": _separators, "join": _join,
             "cut-inside": _cut_inside}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=75, help="damaged copies of each raw text")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    raws = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "real-forms*", "raw", "*.txt")))
    rng = random.Random(args.seed)
    done = refused = 0
    crashes: list[str] = []
    start = time.perf_counter()
    for raw in raws:
        with open(raw, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        for copy in range(args.copies):
            names = rng.sample(sorted(MUTATIONS), rng.randint(1, 3))
            damaged = lines
            for name in names:
                damaged = MUTATIONS[name](damaged, rng) or [""]
            done += 1
            try:
                for form in text_import.parse("\n".join(damaged), os.path.basename(raw)):
                    render(form)
            except NotAForm:
                refused += 1
            except Exception:  # noqa: BLE001 - every other exception is what this counts
                crashes.append(f"{os.path.basename(raw)} copy {copy} ({'+'.join(names)}): "
                               f"{traceback.format_exc().strip().splitlines()[-1]}")
    seconds = time.perf_counter() - start
    print(f"{len(raws)} raw texts, {done} damaged copies: {done - refused - len(crashes)} imported, "
          f"{refused} refused with a message, {len(crashes)} crashed ({seconds:.0f} s)")
    for line in crashes[:30]:
        print("  " + line)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
