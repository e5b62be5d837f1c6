"""Progress on standard error for long runs: only on a terminal, never in a pipe or a CI log."""

from __future__ import annotations

import os
import time
from typing import TextIO

DELAY = 2.0  # seconds before the first line: a hook's run never shows one
EVERY = 0.25  # seconds between updates


class Progress:
    """`已检查 120/1000 个文件（每秒 85 个）`, rewritten in place, cleared at the end."""

    def __init__(self, err: TextIO, total: int, what: str = "已检查", unit: str = "个文件", lang: str = "zh",
                 what_en: str = "checked", unit_en: str = "files") -> None:
        self.err, self.total, self.what, self.unit, self.lang = err, total, what, unit, lang
        self.what_en, self.unit_en = what_en, unit_en
        self.start = self.last = time.monotonic()
        self.done = 0
        self.shown = False
        try:
            terminal = err.isatty()
        except (AttributeError, ValueError):
            terminal = False
        self.on = terminal and not os.environ.get("CI") and os.environ.get("TERM") != "dumb" and total > 1

    def step(self, count: int = 1) -> None:
        self.done += count
        if not self.on:
            return
        now = time.monotonic()
        if now - self.start < DELAY or now - self.last < EVERY:
            return
        self.last = now
        rate = self.done / (now - self.start)
        if self.lang == "en":
            line = f"{self.what_en} {self.done}/{self.total} {self.unit_en} ({rate:.0f} per second)"
        else:
            line = f"{self.what} {self.done}/{self.total} {self.unit}（每秒 {rate:.0f} 个）"
        self.err.write("\r" + line + "\x1b[K")
        self.err.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line (before another message goes to the terminal); the next step redraws it."""
        if self.shown:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self.shown = False

    def close(self) -> None:
        self.clear()
