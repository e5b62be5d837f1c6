"""The repository configuration file `.perfspec.yaml` and rule selection."""

from __future__ import annotations

import os
from typing import Any

from perfspec.load.loader import load_file
from perfspec.profile import ProfileError

CONFIG_NAME = ".perfspec.yaml"
DEFAULT_PROFILE = "national"


class Config:
    def __init__(self, root: str = ".", file: str | None = None) -> None:
        self.profile: str = DEFAULT_PROFILE
        self.select: list[str] = ["PS"]
        self.ignore: list[str] = []
        self.paths: list[str] = ["specs"]
        self.layout: str | None = None  # None: the profile's
        self.root = root  # the folder holding the config file; relative names resolve here
        self.file = file


def find_config(start: str = ".") -> str | None:
    """The nearest `.perfspec.yaml` in `start` or a folder above it."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _codes(value: Any, key: str, file: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{file}: {key} 应为规则代码前缀的列表，如 [PS1, PS201]")
    # Fail closed: a blank entry is a slip, never "no rule"; an empty select is refused by the engine.
    if any(not v.strip() for v in value):
        raise ProfileError(f"{file}: {key} 中有空白的项：请删掉它，或写上规则代码前缀（如 PS1、PS201）")
    return [v.strip() for v in value]


def load_config(start: str = ".") -> Config:
    path = find_config(start)
    if path is None:
        return Config(root=os.path.abspath(start))
    result = load_file(path)
    if result.io_error:
        raise ProfileError(f"{path}: {result.io_error}")
    if result.findings:
        f = result.findings[0]
        raise ProfileError(f"{path}:{f.line}:{f.column}: {f.message}")
    data = result.document.data if result.document else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: 配置应为映射（键: 值）")
    unknown = sorted(set(data) - {"profile", "select", "ignore", "paths", "layout"})
    if unknown:
        line = result.document.key_span((unknown[0],)).line if result.document else 1
        raise ProfileError(f"{path}:{line}: 未知的配置项 {unknown[0]}（可用 profile、layout、select、ignore、paths）")
    config = Config(root=os.path.dirname(path), file=path)
    if "profile" in data:
        config.profile = str(data["profile"])
    if "layout" in data:
        config.layout = str(data["layout"])
    if "select" in data:
        config.select = _codes(data["select"], "select", path)
    if "ignore" in data:
        config.ignore = _codes(data["ignore"], "ignore", path)
    if "paths" in data:
        config.paths = _codes(data["paths"], "paths", path)
    return config


def selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """The longest matching prefix decides; a tie goes to ignore (`--ignore PS` ignores, whatever the config selects)."""
    best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return best_select >= 0 and best_select > best_ignore


def check_codes(select: list[str], ignore: list[str], known: list[str]) -> None:
    """Fail closed: an unknown code or prefix, or a selection that leaves no rule, is a usage error."""
    from perfspec.errors import UsageError

    for key, prefixes in (("select", select), ("ignore", ignore)):
        for prefix in prefixes:
            if not any(code.startswith(prefix) for code in known):
                upper = prefix.strip().upper()
                hint = (
                    f"，是不是 {upper}？" if upper != prefix and any(c.startswith(upper) for c in known)
                    else f"；已有的规则代码：{'、'.join(known[:6])} …（perfspec rules 列出全部）"
                )
                raise UsageError(f"{key} 中的“{prefix}”不是任何规则代码的前缀{hint}")
    if not select:
        raise UsageError("select 为空：没有选中任何规则，检查不会发现任何问题。要检查全部规则，写 select: [PS]")
    if not any(selected(code, select, ignore) for code in known):
        raise UsageError(f"select {select} 与 ignore {ignore} 合起来没有留下任何规则：检查不会发现任何问题")
