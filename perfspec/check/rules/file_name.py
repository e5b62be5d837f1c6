"""PS011 file-name: 文件名用 ASCII 短名

文件名只用小写英文字母、数字和连字符（如 `specs/2023/it-operations.yaml`），
这样在各种操作系统、git 和 CI 中都不会因编码出问题；中文名称写在 `project` 里。

通过 / passes: `specs/2023/it-operations.yaml`

不通过 / fails: `specs/2023/信息化运维项目.yaml`, `specs/2023/IT Operations.yaml`
"""

from __future__ import annotations

import os
import re

from perfspec.check.rules.base import Context

CODE = "PS011"
NAME = "file-name"
SEVERITY = "warning"
SUMMARY = "文件名用 ASCII 短名（小写字母、数字、连字符）"
SUMMARY_EN = "file names are ASCII slugs (lower-case letters, digits, hyphens)"

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.ya?ml\Z")


def check(ctx: Context) -> None:
    name = os.path.basename(ctx.doc.file)
    if not _SLUG.match(name):
        ctx.report(
            (),
            f"文件名“{name}”不是 ASCII 短名：请只用小写英文字母、数字和连字符，如 it-operations.yaml",
            f"file name '{name}' is not an ASCII slug: use lower-case letters, digits and hyphens, e.g. it-operations.yaml",
        )
