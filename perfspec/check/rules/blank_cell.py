"""PS013 blank-cell: 表中印有的栏目不能留空（空白、不适用“/”和 0 是三回事）

自评表上印着的格子留空，说明这张表没有填完：表头的项目名称、主管部门、实施单位
（版式没有这一格的不算），年度总体目标的预期目标，三级指标的年度指标值与实际完成值，有分值栏时的得分
（整张表都没打分就是“未打分”），以及只写了模板提示语（如“对照年度目标，说明……
（100字以内）”）或只写了计量单位（如“公里”“(万亩)”，模板印好的单位没有填数）的格子。整行印着“/”的指标表示不适用，不算空白；决策、管理这类
评分细则行没有指标值，只看得分。绩效目标表只要求指标值，绩效运行监控表另见其规则。

通过 / passes::

    - name: 工程质量合格率
      target: =100%
      actual: 100%
      weight: 10
      score: 10

不通过 / fails (指标值和实际完成值都空白，却得了满分)::

    - name: 工程质量合格
      target: null
      actual: null
      weight: 10
      score: 10
"""

from __future__ import annotations

from perfspec.form.derived import has_scores, has_weights
from perfspec.form.model import Indicator
from perfspec.form.quantity import unit_only
from perfspec.check.rules.base import Context

CODE = "PS013"
NAME = "blank-cell"
SEVERITY = "error"
SUMMARY = "表中印有的栏目不能留空或只留模板提示语"
SUMMARY_EN = "a cell the form prints is not left blank or holding the template's prompt"


def _prompt(value: object, markers: tuple[str, ...]) -> bool:
    return isinstance(value, str) and any(marker in value for marker in markers)


def check(ctx: Context) -> None:
    form = ctx.spec
    layout = form.layout
    root = form.has
    for field in layout.header:
        if field.key == "project" or field.required:
            if field.key in root and root[field.key] is None:
                ctx.report(
                    (field.key,),
                    f"表头“{field.zh}”一栏空白",
                    f"the header cell {field.en} is blank",
                )
    goals = root.get("goals")
    cells = [(("goals", f.key), f, goals.get(f.key)) for f in layout.goals] if isinstance(goals, dict) else []
    cells += [((f.key,), f, root.get(f.key)) for f in layout.sections]
    for path, field, value in cells:
        # Only the goal itself: a blank 完成情况 is often narrated in the self-evaluation report
        # instead, while a blank 预期目标 means no target was ever set for the year.
        if path == ("goals", "expected") and "expected" in goals and value is None:
            ctx.report(path, f"年度总体目标“{field.zh}”一栏空白", f"the goal cell {field.en} is blank")
        elif _prompt(value, ctx.profile.template_prompts):
            ctx.report(
                path,
                f"“{field.zh}”一栏只有模板的填写提示（“{str(value)[:40]}”），没有填写内容",
                f"the cell {field.en} holds only the template's prompt, no content",
            )
    if form.kind.key == "monitoring":
        _monitoring(ctx)
    if not form.kind.actuals:
        for ind in form.indicators:
            if ind.not_applicable or ind.level1_name in layout.rubric:
                continue
            if ind.target is None:
                ctx.report(ind.path, f"“{ind.label}”的指标值空白", f"'{ind.label}' has a blank target")
            elif unit_only(ind.target) is not None:
                _unit_only(ctx, ind, "target")
        return
    weights, scores = has_weights(form), has_scores(form)
    label = layout.label
    for ind in form.indicators:
        if ind.not_applicable:
            continue
        blank = []
        if ind.level1_name not in layout.rubric:
            if ind.target is None:
                blank.append(label("indicators", "target"))
            if ind.actual is None:
                blank.append(label("indicators", "actual"))
            for key in ("target", "actual"):
                if unit_only(getattr(ind, key)) is not None:
                    _unit_only(ctx, ind, key)
        if ind.score is None and (ind.weight is not None or (scores and not weights)):
            blank.append(label("indicators", "score"))
        if not blank:
            continue
        scored = f"，却得了 {ind.score} 分" if ind.score is not None and ind.score == ind.weight else ""
        unscored = "（未打分）" if label("indicators", "score") in blank else ""
        ctx.report(
            ind.path,
            f"“{ind.label}”的{'和'.join(blank)}空白{unscored}{scored}",
            f"'{ind.label}' leaves {', '.join(blank)} blank",
        )


def _unit_only(ctx: Context, ind: Indicator, key: str) -> None:
    value = getattr(ind, key)
    zh = ctx.spec.layout.label("indicators", key)
    ctx.report(
        ind.path + (key,),
        f"“{ind.label}”的{zh}只写了单位“{value}”，没有数值",
        f"'{ind.label}': the {key} holds only the unit '{value}', no number",
    )


def _monitoring(ctx: Context) -> None:
    """A monitoring form must say where the year is heading: the funds forecast and every likelihood."""
    form = ctx.spec
    funds = form.funds
    if funds is not None:
        total = form.layout.total_row
        for key in ("to_date", "forecast"):
            if funds.row_stated(total, key) and funds.rows[total][key] is None:
                column = form.layout.funds_column(key)
                ctx.report(
                    ("funds", total, key),
                    f"年度资金总额的“{column.zh if column else key}”一栏空白",
                    f"the total row's {key} cell is blank",
                )
    for ind in form.indicators:
        if ind.not_applicable:
            continue
        if ind.raw.get("likelihood") is None:
            ctx.report(
                ind.path,
                f"“{ind.label}”的{form.layout.label('indicators', 'likelihood')}空白",
                f"'{ind.label}' gives no likelihood of meeting its target",
            )
