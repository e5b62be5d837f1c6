"""PS016 year-folder: 表中的年度与所在的年度文件夹一致

一年的表放在以年度命名的文件夹中（`specs/2024/`）。把上一年的表复制过来、却忘了改
`year`，这张表就会被当作上一年的表检查、汇总和比较。文件夹不是年度时，文件名中用
`-`、`_` 隔开的年度（`2024-it-operations.yaml`、`it-operations-2024.yaml`）同样算数；
两处都不写年度的表不检查。下一年的表可以用 `perfspec roll 2023 2024` 生成，年度会一起改好。

通过 / passes: `specs/2024/it-operations.yaml` 中写 `year: 2024`

不通过 / fails: `specs/2024/it-operations.yaml` 中写 `year: 2023`
"""

from __future__ import annotations

import os
import re

from perfspec.check.rules.base import Context

CODE = "PS016"
NAME = "year-folder"
SEVERITY = "error"
SUMMARY = "表中的年度（year）与所在的年度文件夹（或文件名中的年度）一致"
SUMMARY_EN = "the form's year matches the year of its folder (or of its file name)"

_FOLDER = re.compile(r"(?:19|20)\d\d\Z")
_IN_NAME = re.compile(r"(?:^|[-_.])((?:19|20)\d\d)(?=[-_.]|$)")


def place_year(file: str) -> tuple[int, str] | None:
    """The year a file's place states, with where: ("folder", "2024/") or ("name", "2024-x.yaml")."""
    head, own = os.path.split(file)
    folder = os.path.basename(head)
    if folder in ("", ".", "..") or own in ("", ".", ".."):  # named only through the working folder's path
        folder = os.path.basename(os.path.dirname(os.path.abspath(file)))
    if _FOLDER.match(folder):
        return int(folder), f"{folder}/"
    name = os.path.basename(file)
    stem = name.rsplit(".", 1)[0]
    years = {m.group(1) for m in _IN_NAME.finditer(stem)}
    if len(years) == 1:
        return int(years.pop()), name
    return None


def check(ctx: Context) -> None:
    stated = ctx.spec.header("year")
    if isinstance(stated, bool) or not isinstance(stated, int):
        return  # the schema reports a year that is not a four-digit number
    place = place_year(ctx.doc.file)
    if place is None or place[0] == stated:
        return
    year, where = place
    if where.endswith("/"):
        zh_where, en_where = f"文件在 {where} 文件夹中", f"the file is in the folder {where}"
    else:
        zh_where, en_where = f"文件名 {where} 写的是 {year} 年", f"its file name {where} says {year}"
    hint = f"perfspec roll {stated} {year}" if stated < year else None
    ctx.report(
        ("year",),
        f"表中的年度是 {stated}，但{zh_where}：复制上一年的表后要改年度（year），或把表放到 {stated} 年的文件夹"
        + (f"；下一年的表可以用 {hint} 生成" if hint else ""),
        f"the form says year {stated} but {en_where}: a form copied from another year needs its year changed, "
        f"or the file belongs in the {stated} folder" + (f"; `{hint}` makes next year's forms" if hint else ""),
        expected=year,
    )
