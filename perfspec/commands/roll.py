"""`perfspec roll FROM TO [PATH...]`: next year's forms from this year's.

Every form under PATH (default: the configured `paths`) whose `year` is FROM becomes a
form for TO, edited round-trip with ruamel.yaml so comments, key order and quoting stay:

- kept: the header (project, units, people), the layout and kind, the goal (预期目标),
  every indicator's name, 指标性质, target, unit and weight, the budget's 分值 and the
  money unit;
- cleared to `null` (the cell stays, blank): the money of every funding row and its
  rates, the execution rate and budget score, 实际完成情况, every indicator's actual,
  scores and deviation note (and the monitoring columns), the totals and grade,
  评价结论 / 存在问题 / 改进措施, 项目实施内容及过程概述 and 填报日期;
- removed: `acknowledge` blocks (they acknowledge this year's findings).

A form in a folder named FROM goes to the sibling folder TO under the same name
(`specs/2023/x.yaml` → `specs/2024/x.yaml`); a form whose file name contains FROM
gets TO in its name instead. An existing form for TO is never overwritten without
`--force`. Each written form is read back with perfspec's own loader and must hold
exactly the intended data, or nothing is written.

Exit codes: 0 done, 1 some form could not be rolled (or none was found), 2 usage error
or a file that could not be written.
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import re
from collections import Counter
from typing import Any, TextIO

from perfspec.errors import UsageError

HELP = "由某一年的表生成下一年的表：保留指标和分值，清空完成值、得分和说明（注释和顺序不变）"

# What is cleared, as (where, key) with the label a message uses.
_TOP_CLEAR = {
    "filled_on": "填报日期", "summary": "项目实施内容及过程概述", "conclusion": "评价结论",
    "problems": "存在问题", "measures": "改进措施", "grade": "评分等级",
}
_FUNDS_CLEAR = {"rate": "执行率", "score": "预算执行率得分", "deviation": "预算调整原因"}
_ROW_CLEAR = {
    "actual": "实际完成值", "raw_score": "单项得分", "score": "得分", "deviation": "偏差说明",
    "to_date": "1–N月完成值", "forecast": "全年预计完成值", "likelihood": "完成目标可能性", "measures": "纠偏措施",
}
_TOTAL_CLEAR = {"weight": "总分值", "score": "总得分"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("from_year", type=int, metavar="FROM", help="由哪一年的表生成，如 2023")
    parser.add_argument("to_year", type=int, metavar="TO", help="生成哪一年的表，如 2024")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹（默认：配置中的 paths）")
    parser.add_argument("--force", action="store_true", help="TO 年的表已存在时覆盖")
    parser.add_argument("--dry-run", action="store_true", help="只列出将要生成的表，不写文件")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")


def roll_data(data: dict[str, Any], to_year: int) -> Counter[str]:
    """Turn one year's form into the next year's, in place (a dict or a ruamel CommentedMap).

    Returns how many cells of each kind were cleared (and acknowledgements removed).
    """
    cleared: Counter[str] = Counter()

    def clear(mapping: Any, keys: dict[str, str]) -> None:
        if not isinstance(mapping, dict):
            return
        for key, label in keys.items():
            if key in mapping and mapping[key] is not None:
                mapping[key] = None
                cleared[label] += 1

    def unacknowledge(mapping: Any) -> None:
        if isinstance(mapping, dict) and "acknowledge" in mapping:
            del mapping["acknowledge"]
            cleared["确认（acknowledge）"] += 1

    data["year"] = to_year
    clear(data, _TOP_CLEAR)
    unacknowledge(data)
    funds = data.get("funds")
    if isinstance(funds, dict):
        for row in funds.values():
            if isinstance(row, dict):
                clear(row, {key: "资金数额" for key in row})
        clear(funds, _FUNDS_CLEAR)
        unacknowledge(funds)
    goals = data.get("goals")
    clear(goals, {"achieved": "实际完成情况"})
    indicators = data.get("indicators")
    if isinstance(indicators, dict):
        for level2s in indicators.values():
            if not isinstance(level2s, dict):
                continue
            for rows in level2s.values():
                for row in rows if isinstance(rows, list) else ():
                    clear(row, _ROW_CLEAR)
                    unacknowledge(row)
    total = data.get("total")
    clear(total, _TOTAL_CLEAR)
    unacknowledge(total)
    return cleared


def destination(path: str, from_year: int, to_year: int) -> str | None:
    """Where next year's form goes, or None when neither its folder nor its name says the year."""
    folder, name = os.path.split(path)
    if os.path.basename(os.path.abspath(folder or ".")) == str(from_year):
        return os.path.join(os.path.dirname(os.path.abspath(folder or ".")), str(to_year), name)
    if re.search(rf"(?<!\d){from_year}(?!\d)", name):
        return os.path.join(folder, re.sub(rf"(?<!\d){from_year}(?!\d)", str(to_year), name))
    return None


class _Indent:
    """The block indentation a file uses, so the rewritten file keeps its shape."""

    def __init__(self, text: str) -> None:
        self.mapping = 2
        self.offset = 2
        self.sequence = 4
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        widths = [len(line) - len(line.lstrip(" ")) for line in lines]
        keys = [w for line, w in zip(lines, widths) if w and not line.lstrip().startswith("-")]
        if keys:
            self.mapping = min(keys)
        for i, (line, w) in enumerate(zip(lines, widths)):
            if line.lstrip().startswith("- "):
                # The line before a block sequence's first item is the key that holds it.
                parent = widths[i - 1] if i else 0
                self.offset = max(w - parent, 0)
                after = line.lstrip()[1:]
                self.sequence = self.offset + 1 + (len(after) - len(after.lstrip(" ")))
                break


def roll_text(text: str, to_year: int) -> tuple[str, Counter[str]]:
    """The next year's text of a form (ruamel.yaml round trip); the data is changed by roll_data."""
    from ruamel.yaml import YAML

    crlf = "\r\n" in text
    source = text.replace("\r\n", "\n")
    indent = _Indent(source)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    yaml.representer.add_representer(
        type(None), lambda rep, _value: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    data = yaml.load(source)
    cleared = roll_data(data, to_year)
    stream = io.StringIO()
    yaml.dump(data, stream)
    out = _realign(source, stream.getvalue())
    return (out.replace("\n", "\r\n") if crlf else out), cleared


_PADDED = re.compile(r"^( *[^ #:'\"][^:#]*:)( {2,})([{\[].*)$")
_PLAIN = re.compile(r"^( *[^ #:'\"][^:#]*:) ([{\[].*)$")


def _realign(source: str, out: str) -> str:
    """Keep the columns of aligned flow rows (`total:         {initial: …}`), which ruamel closes up."""
    pads = {}
    for line in source.splitlines():
        match = _PADDED.match(line)
        if match:
            pads[match.group(1)] = match.group(2)
    if not pads:
        return out
    lines = []
    for line in out.split("\n"):
        match = _PLAIN.match(line)
        if match and match.group(1) in pads:
            pad = pads[match.group(1)]
            rest = match.group(2)
            # Take the added width back from the gap before an end-of-line comment, where there is room.
            hash_at = rest.find("   # ")
            if hash_at >= 0:
                end = hash_at + 3
                start = len(rest[:end].rstrip(" "))
                keep = max(2, (end - start) - (len(pad) - 1))
                rest = rest[:start] + " " * keep + rest[end:]
            line = match.group(1) + pad + rest
        lines.append(line)
    return "\n".join(lines)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.check.engine import collect, display_name
    from perfspec.config import load_config
    from perfspec.load.loader import load_file, load_text
    from perfspec.outputs.writer import write_atomic

    en = args.lang == "en"
    if not (2000 <= args.from_year <= 2100 and 2000 <= args.to_year <= 2100) or args.from_year == args.to_year:
        raise UsageError("FROM and TO are two different years, e.g. 2023 2024" if en else "FROM 和 TO 应是两个不同的年度，如 2023 2024")
    config = load_config(".")
    paths = list(args.paths) or [p for p in (os.path.join(config.root, p) for p in config.paths) if os.path.exists(p)]
    if not paths:
        raise UsageError("no path given and no specs/ folder here" if en else "没有给出路径，当前目录下也没有 specs/ 文件夹（或 .perfspec.yaml 的 paths）")

    found = rolled = 0
    problems = write_failed = False
    for path in collect(paths):
        shown = display_name(path)
        loaded = load_file(path, shown)
        document = loaded.document
        if loaded.io_error or document is None or not isinstance(document.data, dict):
            continue  # not a form this command can read; `perfspec check` says why
        year = document.data.get("year")
        if isinstance(year, bool) or str(year) != str(args.from_year):
            continue
        found += 1
        if loaded.findings:
            f = loaded.findings[0]
            err.write(
                f"perfspec: {shown}:{f.line}:{f.column}: not rolled: {f.code} {f.message_en}\n"
                if en else
                f"perfspec: {shown}:{f.line}:{f.column}: 未生成：先修正 {f.code}（{f.message}）\n"
            )
            problems = True
            continue
        target = destination(path, args.from_year, args.to_year)
        if target is None:
            err.write(
                f"perfspec: {shown}: not rolled: neither its folder nor its name is {args.from_year}, so where the {args.to_year} form goes is unknown\n"
                if en else
                f"perfspec: {shown}: 未生成：文件既不在 {args.from_year}/ 文件夹中，文件名也不含 {args.from_year}，不知道 {args.to_year} 年的表该放在哪里\n"
            )
            problems = True
            continue
        target_shown = display_name(target)
        if os.path.lexists(target) and not args.force:
            out.write(f"{target_shown} exists: not changed\n" if en else f"{target_shown} 已存在，未改动（覆盖请加 --force）\n")
            continue
        try:
            text, cleared = roll_text(document.text, args.to_year)
        except Exception as exc:  # noqa: BLE001 - ruamel's own complaints (e.g. a construct it cannot keep)
            err.write(f"perfspec: {shown}: not rolled ({type(exc).__name__}: {exc})\n" if en else f"perfspec: {shown}: 未生成（{type(exc).__name__}: {exc}）\n")
            problems = True
            continue
        expected = copy.deepcopy(document.data)
        roll_data(expected, args.to_year)
        check = load_text(text, target_shown)
        if check.document is None or check.findings or check.document.data != expected:
            err.write(
                f"perfspec: {shown}: not rolled: the rewritten form would not read back as intended (please report this form)\n"
                if en else
                f"perfspec: {shown}: 未生成：改写后的表读回来与预期不同（请把这张表报告给 perfspec 的维护者）\n"
            )
            problems = True
            continue
        summary = "、".join(f"{label} {count} 处" for label, count in cleared.items()) or "没有需要清空的内容"
        summary_en = ", ".join(f"{count}× {label}" for label, count in cleared.items()) or "nothing to clear"
        if args.dry_run:
            out.write(f"would write {target_shown} from {shown} ({summary_en})\n" if en else f"将生成 {target_shown}（由 {shown}；清空 {summary}）\n")
            rolled += 1
            continue
        data = (b"\xef\xbb\xbf" if _has_bom(path) else b"") + text.lstrip("\ufeff").encode("utf-8")
        try:
            os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
            write_atomic(target, data, root=config.root if _inside(target, config.root) else None)
        except OSError as exc:
            err.write(f"perfspec: {target_shown}: {getattr(exc, 'strerror', None) or exc}\n")
            write_failed = True
            continue
        rolled += 1
        out.write(f"wrote {target_shown} from {shown} (cleared {summary_en})\n" if en else f"生成 {target_shown}（由 {shown}；清空 {summary}）\n")
    if not found:
        err.write(f"perfspec: no form of {args.from_year} found\n" if en else f"perfspec: 没有找到 {args.from_year} 年的表\n")
        return 1
    if rolled and not args.dry_run:
        out.write(
            f"next: fill in the {args.to_year} forms, then perfspec check\n" if en
            else f"下一步：填写 {args.to_year} 年的实际完成值、得分和说明，再运行 perfspec check（执行率、总分等由 perfspec fix 计算）\n"
        )
    return 2 if write_failed else 1 if problems else 0


def _inside(path: str, root: str) -> bool:
    real, base = os.path.realpath(os.path.abspath(path)), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _has_bom(path: str) -> bool:
    from perfspec.load.files import TooLarge, read_spec
    from perfspec.load.loader import MAX_BYTES

    try:
        return read_spec(path, MAX_BYTES).startswith(b"\xef\xbb\xbf")
    except (OSError, TooLarge):
        return False
