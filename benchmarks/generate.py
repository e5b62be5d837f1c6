"""A deterministic generator of realistic self-evaluation forms, with planted defects.

Shapes follow the seed forms: 7–25 indicators under the usual categories,
Chinese names and notes, money with two decimals, a truncated execution rate,
deductions that carry a deviation note, totals and grade that add up. About
one form in eight gets exactly one planted defect; `manifest.json` records,
for every file, the error codes `perfspec check` must report (an empty list
for a clean form) under the national profile.

    python benchmarks/generate.py OUT_DIR --count 1000 [--seed 2023]
"""

from __future__ import annotations

import argparse
import json
import os
import random
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

CATEGORIES = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
SUBJECTS = ["档案数字化", "系统运维", "热线服务", "房源核验", "交易备案", "数据清理", "设备维护", "安全培训",
            "资金监管", "测绘成果", "租赁管理", "市场监测", "信息发布", "合同网签", "权籍调查", "窗口服务"]
MEASURES = {
    "数量指标": [("完成数量", "批次", ">="), ("处理量", "件", ">="), ("完成率", "%", "=")],
    "质量指标": [("合格率", "%", ">="), ("准确率", "%", ">="), ("差错率", "%", "<=")],
    "时效指标": [("及时率", "%", "="), ("响应时间", "分钟", "<="), ("按期完成率", "%", "=")],
    "成本指标": [("成本控制率", "%", "<=")],
    "经济效益指标": [("节约成本", "万元", ">=")],
    "社会效益指标": [("办事效率提升度", None, None), ("服务覆盖率", "%", ">=")],
    "可持续影响指标": [("长效管理机制健全", None, None)],
    "服务对象满意度指标": [("满意度", "%", ">=")],
}
QUALITATIVE = ["提升", "健全", "达标", "及时", "稳定", "畅通"]
NOTES = ["受客观因素影响，部分工作未能按计划完成，将加强过程管理。", "年初指标设置偏高，下一年度将结合实际调整。",
         "服务高峰期响应不及时，已增加值班人员并优化流程。", "个别环节衔接不畅，将完善制度并加强考核。"]
DEPARTMENTS = ["上海市住房和城乡建设管理委员会", "上海市财政局", "某区房屋管理局"]
UNITS = ["上海市房地产交易中心", "某区房地产登记事务中心", "某市信息中心"]
DEFECTS = ["PS201", "PS105", "PS104", "PS102", "PS103", "PS106", "PS101", "PS107", "PS010", "PS002", "PS108"]
OPS = {">=": "≥", "<=": "≤", "=": "="}


def q(value: Decimal) -> str:
    return str(value.quantize(CENT))


def split_weights(rng: random.Random, total: int, parts: int) -> list[int]:
    """`parts` positive integer weights summing to `total`."""
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0] + cuts + [total]
    return [b - a for a, b in zip(bounds, bounds[1:])]


def indicator(rng: random.Random, level2: str, weight: int, used: set[str], number: int = 0) -> dict[str, object]:
    for _ in range(50):
        measure, unit, op = rng.choice(MEASURES[level2])
        name = rng.choice(SUBJECTS) + measure
        if name not in used:
            break
    else:
        name = f"{rng.choice(SUBJECTS)}{measure}{len(used)}"
    used.add(name)
    item: dict[str, object] = {"name": name, "weight": weight}
    deduct = rng.random() < 0.2 and weight >= 2
    if op is None:
        item["target"] = rng.choice(QUALITATIVE)
        item["actual"] = "部分达成指标" if deduct else "达成指标"
        score = (Decimal(weight) * Decimal("0.7")).quantize(CENT) if deduct else Decimal(weight)
    else:
        base = Decimal(rng.choice([90, 95, 98, 100])) if unit == "%" else Decimal(rng.randint(5, 5000))
        if unit == "%" and op == "<=":
            base = Decimal(rng.choice([2, 5, 100]))
        target = base
        if deduct:
            actual = (target * Decimal("0.9")).quantize(CENT) if op != "<=" else (target * Decimal("1.1")).quantize(CENT)
            ratio = actual / target if op != "<=" else 1 - (actual - target) / target
            score = (Decimal(weight) * ratio).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            actual = target if op == "=" else (target * Decimal("1.02")).quantize(CENT) if op == ">=" else target
            score = Decimal(weight)
        unit_text = f"({unit})"
        item["target"] = f"{OPS[op]}{q(target)}{unit_text}"
        item["actual"] = f"{q(actual)}{unit_text}"
    item["score"] = score
    if score < weight:
        # A note explains this project's own shortfall (its figures, its name): one reason
        # word for word in every form would be PS704's boilerplate, quadratic in the corpus.
        item["deviation"] = f"第 {number} 号项目{name}实际为{item['actual']}，{rng.choice(NOTES)}"
    return item


def form(rng: random.Random, number: int) -> tuple[dict[str, object], list[str]]:
    annual = Decimal(rng.randint(1000, 900000)) / 100
    executed = (annual * Decimal(rng.randint(8500, 10000)) / 10000).quantize(CENT, rounding=ROUND_DOWN)
    carry = Decimal(0) if rng.random() < 0.8 else (annual * Decimal("0.1")).quantize(CENT)
    rate = (executed / annual * 100).quantize(CENT, rounding=ROUND_DOWN)
    funds_score = (Decimal(10) * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    count = rng.randint(7, 25)
    level1_weights = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    plan: list[tuple[str, str]] = []
    for level1, level2s in CATEGORIES.items():
        plan += [(level1, l2) for l2 in level2s]
    # Distribute the indicator count over the level-2 categories, at least one each where weight allows.
    slots: dict[tuple[str, str], int] = {p: 1 for p in plan}
    for _ in range(count - len(plan)):
        slots[rng.choice(plan)] += 1
    indicators: dict[str, dict[str, list[dict[str, object]]]] = {}
    used: set[str] = set()
    for level1, total_weight in level1_weights.items():
        l2s = [p for p in plan if p[0] == level1]
        n = sum(slots[p] for p in l2s)
        weights = split_weights(rng, total_weight, min(n, total_weight))
        i = 0
        for _, level2 in l2s:
            items = []
            for _ in range(slots[(level1, level2)]):
                if i < len(weights):
                    items.append(indicator(rng, level2, weights[i], used, number))
                    i += 1
            if items:
                indicators.setdefault(level1, {})[level2] = items
    total_score = funds_score + sum(
        (Decimal(str(it["score"])) for l2 in indicators.values() for items in l2.values() for it in items), Decimal(0)
    )
    grade = "优" if total_score >= 90 else "良" if total_score >= 80 else "中" if total_score >= 60 else "差"
    spec: dict[str, object] = {
        "year": 2023,
        "project": f"{rng.choice(SUBJECTS)}项目（第 {number} 号）",
        "department": rng.choice(DEPARTMENTS),
        "implementer": rng.choice(UNITS),
        "funds": {
            "unit": "万元",
            "weight": 10,
            "total": [annual, annual, executed],
            "appropriation": [annual - carry, annual - carry, executed - carry],
            "carryover": [carry, carry, carry],
            "other": [Decimal(0), Decimal(0), Decimal(0)],
            "rate": rate,
            "score": funds_score,
        },
        "goals": {"expected": "按计划完成年度工作任务，保障业务平稳运行。", "achieved": "年度工作任务基本完成，业务运行平稳。"},
        "indicators": indicators,
        "total": {"weight": Decimal(100), "score": total_score},
        "grade": grade,
    }
    return spec, []


def plant(rng: random.Random, spec: dict[str, object], defect: str) -> str | None:
    """Break one thing; return a raw-text edit marker for text-level defects."""
    funds = spec["funds"]
    assert isinstance(funds, dict)
    items = [it for l2 in spec["indicators"].values() for its in l2.values() for it in its]  # type: ignore[union-attr]
    if defect == "PS201":
        candidates = [it for it in items if "deviation" in it] or [items[0]]
        it = candidates[0]
        if it["score"] == it["weight"]:
            it["score"] = Decimal(str(it["weight"])) - 1
            _retotal(spec)
        it.pop("deviation", None)
    elif defect == "PS105":
        total = spec["total"]
        total["score"] = total["score"] - Decimal("1.50")  # type: ignore[index]
        _regrade(spec)
    elif defect == "PS104":
        spec["total"]["weight"] = Decimal(105)  # type: ignore[index]
    elif defect == "PS102":
        funds["rate"] = funds["rate"] - Decimal("0.37")
    elif defect == "PS103":
        funds["score"] = funds["score"] - Decimal("0.20")
        _retotal(spec)
    elif defect == "PS106":
        spec["grade"] = "良" if spec["grade"] == "优" else "优"
    elif defect == "PS101":
        funds["appropriation"][2] = funds["appropriation"][2] + Decimal("1.00")
    elif defect == "PS107":
        it = items[-1]
        it["score"] = Decimal(str(it["weight"])) + 1
        it.pop("deviation", None)
        # Keep the totals consistent so only the range itself is wrong.
        _retotal(spec)
    elif defect == "PS010":
        items[0]["remark"] = "多余的键"
    elif defect == "PS002":
        return "duplicate"
    elif defect == "PS108":
        funds["total"][0] = funds["total"][0] + Decimal("0.001")
        funds["appropriation"][0] = funds["appropriation"][0] + Decimal("0.001")
    return None


def _retotal(spec: dict[str, object]) -> None:
    items = [it for l2 in spec["indicators"].values() for its in l2.values() for it in its]  # type: ignore[union-attr]
    funds = spec["funds"]
    total = funds["score"] + sum((Decimal(str(it["score"])) for it in items), Decimal(0))  # type: ignore[index]
    spec["total"]["score"] = total  # type: ignore[index]
    _regrade(spec)


def _regrade(spec: dict[str, object]) -> None:
    total = spec["total"]["score"]  # type: ignore[index]
    spec["grade"] = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _scalar(value: object) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if any(ch in text for ch in ":#{}[],&*!|>'\"%@`") or text.strip() != text:
        return json.dumps(text, ensure_ascii=False)
    return text


def render(spec: dict[str, object], duplicate: bool) -> str:
    """YAML in the house style of the seed forms (comments, flow rows, two decimals)."""
    funds = spec["funds"]
    assert isinstance(funds, dict)
    out = [
        "# yaml-language-server: $schema=../../schema/perfspec.schema.json",
        f"# Generated benchmark form: {spec['project']}",
        "",
        f"year: {spec['year']}",
        f"project: {_scalar(spec['project'])}                # 项目名称",
        f"department: {spec['department']}      # 主管部门",
        f"implementer: {spec['implementer']}",
        "",
        "funds:                                        # 项目资金",
        f"  unit: {funds['unit']}",
        f"  weight: {funds['weight']}                                  # 分值",
    ]
    for row in ("total", "appropriation", "carryover", "other"):
        a, b, c = funds[row]
        out.append(f"  {row + ':':<14} {{initial: {q(a) if a.as_tuple().exponent >= -2 else a}, annual: {q(b)}, executed: {q(c)}}}")
    out += [f"  rate: {q(funds['rate'])}", f"  score: {q(funds['score'])}", ""]
    goals = spec["goals"]
    assert isinstance(goals, dict)
    out += ["goals:", f"  expected: {goals['expected']}", f"  achieved: {goals['achieved']}", "", "indicators:"]
    first = True
    for level1, level2s in spec["indicators"].items():  # type: ignore[union-attr]
        out.append(f"  {level1}:")
        for level2, items in level2s.items():
            out.append(f"    {level2}:")
            for it in items:
                out.append(f"      - name: {_scalar(it['name'])}")
                for key in ("target", "actual", "weight", "score", "deviation", "remark"):
                    if key in it:
                        out.append(f"        {key}: {_scalar(it[key])}")
                        if key == "score" and duplicate and first:
                            out.append(f"        score: {_scalar(it[key])}")
                            first = False
    total = spec["total"]
    assert isinstance(total, dict)
    out += ["", f"total: {{weight: {q(total['weight'])}, score: {q(total['score'])}}}", f"grade: {spec['grade']}", ""]
    return "\n".join(out)


def generate(out_dir: str, count: int, seed: int = 2023, defect_rate: float = 0.125) -> dict[str, list[str]]:
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    manifest: dict[str, list[str]] = {}
    for number in range(1, count + 1):
        spec, _ = form(rng, number)
        expected: list[str] = []
        duplicate = False
        if rng.random() < defect_rate:
            defect = DEFECTS[(number * 7) % len(DEFECTS)]
            duplicate = plant(rng, spec, defect) == "duplicate"
            expected = [defect]
        name = f"form-{number:05d}.yaml"
        with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(render(spec, duplicate))
        manifest[name] = expected
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=0, sort_keys=True)
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()
    manifest = generate(args.out_dir, args.count, args.seed)
    planted = sum(bool(v) for v in manifest.values())
    print(f"{len(manifest)} forms in {args.out_dir}, {planted} with a planted defect")


if __name__ == "__main__":
    main()
