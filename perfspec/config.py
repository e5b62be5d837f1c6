"""The repository configuration file `.perfspec.yaml` and rule selection."""

from __future__ import annotations

import os
import stat
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
    """The nearest `.perfspec.yaml` in `start` or a folder above it.

    `PERFSPEC_CONFIG` names the file explicitly (then nothing is searched). A file found in a
    folder above `start` is used only if it is safe, as git's safe.directory decides: owned by
    the current user or root, in a folder owned by them, not writable by everyone, and not in a
    folder everyone may write to without the sticky bit. Anyone could have planted it otherwise.
    """
    explicit = os.environ.get("PERFSPEC_CONFIG")
    if explicit:
        return os.path.abspath(explicit)
    first = here = os.path.abspath(start)
    while True:  # a loop, not recursion: 1,200 nested folders are fine
        candidate = os.path.join(here, CONFIG_NAME)
        if os.path.isfile(candidate):
            if here != first:
                problem = unsafe_reason(candidate)
                if problem is not None:
                    raise ProfileError(
                        f"{candidate}: 不使用这个配置文件：它在上级文件夹中，且{problem}，可能是别人放的；"
                        f"确实要用时请明确指定（PERFSPEC_CONFIG={candidate}），或在仓库中放自己的 .perfspec.yaml"
                    )
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def unsafe_reason(path: str) -> str | None:
    """Why a configuration file found above the working folder cannot be trusted, or None."""
    if not hasattr(os, "geteuid"):
        return None  # no owners to compare (Windows)
    trusted = {os.geteuid(), 0}
    folder = os.path.dirname(path)
    try:
        info, folder_info = os.stat(path), os.stat(folder)
    except OSError as exc:
        return f"无法查看其属主（{exc.strerror or exc}）"
    if info.st_uid not in trusted:
        return f"文件属于其他用户（uid {info.st_uid}）"
    if folder_info.st_uid not in trusted:
        return f"所在文件夹 {folder} 属于其他用户（uid {folder_info.st_uid}）"
    if info.st_mode & stat.S_IWOTH:
        return "文件任何人都可以修改"
    if folder_info.st_mode & stat.S_IWOTH and not folder_info.st_mode & stat.S_ISVTX:
        return f"所在文件夹 {folder} 任何人都可以写入（且没有 sticky 位）"
    return None


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
    return read_config(path)


def read_config(path: str, display: str | None = None) -> Config:
    """The configuration in the file `path` (named `display` in messages)."""
    shown = display or path
    result = load_file(path)
    if result.io_error:
        raise ProfileError(f"{shown}: {result.io_error}")
    if result.findings:
        f = result.findings[0]
        raise ProfileError(f"{shown}:{f.line}:{f.column}: {f.message}")
    data = result.document.data if result.document else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(f"{shown}: 配置应为映射（键: 值）")
    unknown = sorted(set(data) - {"profile", "select", "ignore", "paths", "layout"})
    if unknown:
        line = result.document.key_span((unknown[0],)).line if result.document else 1
        raise ProfileError(f"{shown}:{line}: 未知的配置项 {unknown[0]}（可用 profile、layout、select、ignore、paths）")
    path = os.path.abspath(path)
    config = Config(root=os.path.dirname(path), file=path)
    if "profile" in data:
        config.profile = str(data["profile"])
    if "layout" in data:
        config.layout = str(data["layout"])
    if "select" in data:
        config.select = _codes(data["select"], "select", shown)
    if "ignore" in data:
        config.ignore = _codes(data["ignore"], "ignore", shown)
    if "paths" in data:
        config.paths = _codes(data["paths"], "paths", shown)
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
