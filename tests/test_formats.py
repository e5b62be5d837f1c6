"""The CI output formats (sarif, gitlab, github, junit), through the real CLI."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conftest import ROOT, run_cli
from perfspec.outputs.formats import FORMATS
from perfspec.outputs.formats.github import escape_data, escape_property
from perfspec.check.rules import all_rules

SPECS = os.path.join(ROOT, "specs", "2023")
REFERENCE = os.path.join(SPECS, "it-operations.yaml")
ONLINE = os.path.join(SPECS, "online-housing-transactions.yaml")
SCHEMA = os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json")
SCHEMA_SHA256 = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
CI_FORMATS = ("sarif", "gitlab", "github", "junit")
ACK = "        acknowledge:\n          PS201: 原表如此，无法更改\n"
RULES = {rule.code: rule for rule in all_rules()}


def text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def acknowledged_copy(folder, reason_block: str = ACK) -> str:
    """it-operations.yaml with PS201 acknowledged under 故障响应及时率 (after its `score: 8`)."""
    source = text(REFERENCE)
    assert source.count("        score: 8\n") == 1
    path = folder / "it-operations.yaml"
    path.write_text(source.replace("        score: 8\n", "        score: 8\n" + reason_block), encoding="utf-8")
    return str(path)


def json_findings(*paths: str, cwd: str | None = None) -> list[dict]:
    return json.loads(run_cli("check", "--format", "json", *paths, cwd=cwd).out)["findings"]


# --- SARIF -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def sarif_validators() -> tuple:
    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    declared = jsonschema.validators.validator_for(schema)  # draft-04, as the schema says
    validators = []
    for cls in {declared, jsonschema.Draft7Validator}:
        cls.check_schema(schema)
        validators.append(cls(schema, format_checker=cls.FORMAT_CHECKER))
    return tuple(validators)


def assert_valid_sarif(log: dict) -> None:
    for validator in sarif_validators():
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
        assert not errors, (type(validator).__name__, errors[:5])


def sarif(*argv: str, cwd: str | None = None) -> tuple[int, dict]:
    result = run_cli("check", "--format", "sarif", *argv, cwd=cwd)
    assert "Traceback" not in result.err
    log = json.loads(result.out)
    assert_valid_sarif(log)
    return result.code, log


def test_the_schema_is_the_official_one_unmodified() -> None:
    with open(SCHEMA, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == SCHEMA_SHA256
    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")


def test_the_schema_catches_broken_sarif() -> None:
    _, log = sarif(REFERENCE)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    del broken["runs"][0]["results"][1]["message"]
    for validator in sarif_validators():
        assert len(list(validator.iter_errors(broken))) >= 2


def test_sarif_for_the_bundled_specs() -> None:
    code, log = sarif(SPECS)
    assert code == 1
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "perfspec" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.doc == descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == level[rule.severity]
    assert run["invocations"] == [{"executionSuccessful": True}]

    expected = json_findings(SPECS)
    results = run["results"]
    assert len(results) == len(expected) >= 3
    for res, f in zip(results, expected):
        assert res["ruleId"] == f["code"] and rules[res["ruleIndex"]]["id"] == f["code"]
        assert res["level"] == level[f["severity"]]
        assert res["message"]["text"] == f["message"]
        (location,) = res["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": f["file"].replace(os.sep, "/"), "uriBaseId": "%SRCROOT%"}
        assert not artifact["uri"].startswith("/") and "\\" not in artifact["uri"]
        region = location["physicalLocation"]["region"]
        assert region["startLine"] == f["line"] and region["startColumn"] == f["column"] >= 1
        assert region.get("endLine") == f["end_line"] and region.get("endColumn") == f["end_column"]
        assert location["logicalLocations"] == [{"fullyQualifiedName": f["path"]}]
        assert "suppressions" not in res
    codes = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"], r["level"]) for r in results}
    assert ("specs/2023/it-operations.yaml", "PS201", "error") in codes
    assert ("specs/2023/online-housing-transactions.yaml", "PS104", "error") in codes
    assert ("specs/2023/online-housing-transactions.yaml", "PS105", "error") in codes
    assert any(level == "warning" for _, _, level in codes)


def test_sarif_fingerprints_are_the_gitlab_fingerprints() -> None:
    _, log = sarif(SPECS)
    issues = json.loads(run_cli("check", "--format", "gitlab", SPECS).out)
    ours = [r["partialFingerprints"]["perfspec/v1"] for r in log["runs"][0]["results"]]
    assert ours == [issue["fingerprint"] for issue in issues]  # nothing acknowledged here
    assert len(set(ours)) == len(ours)


def test_sarif_in_english() -> None:
    _, log = sarif("--lang", "en", REFERENCE)
    run = log["runs"][0]
    assert run["language"] == "en-US"
    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert by_id["PS201"]["shortDescription"]["text"] == RULES["PS201"].summary_en
    assert [r["message"]["text"] for r in run["results"]] == [f["message"] for f in json_findings("--lang", "en", REFERENCE)]


def test_sarif_acknowledged_finding_is_suppressed(tmp_path) -> None:
    path = acknowledged_copy(tmp_path)
    code, log = sarif(path)
    assert code == 0
    (ps201,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "PS201"]
    assert ps201["level"] == "error"
    assert ps201["suppressions"] == [{"kind": "inSource", "justification": "原表如此，无法更改"}]
    assert all("suppressions" not in r for r in log["runs"][0]["results"] if r["ruleId"] != "PS201")


def test_sarif_unreadable_file_is_a_tool_notification(tmp_path) -> None:
    shutil.copy(REFERENCE, tmp_path / "it-operations.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing-target.yaml")
    code, log = sarif("dangling.yaml", "it-operations.yaml", cwd=str(tmp_path))
    assert code == 2
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("dangling.yaml: ")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "dangling.yaml", "uriBaseId": "%SRCROOT%"}
    assert any(r["ruleId"] == "PS201" for r in log["runs"][0]["results"])  # the good file was still checked


def test_sarif_uris_absolute_and_non_ascii(tmp_path) -> None:
    folder = tmp_path / "自评 表"
    folder.mkdir()
    shutil.copy(REFERENCE, folder / "it-operations.yaml")
    _, log = sarif(os.path.join("自评 表", "it-operations.yaml"), cwd=str(tmp_path))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "%E8%87%AA%E8%AF%84%20%E8%A1%A8/it-operations.yaml", "uriBaseId": "%SRCROOT%"}

    outside = str(folder / "it-operations.yaml")  # absolute, and not below the working folder
    _, log = sarif(outside, cwd=SPECS)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"].startswith("file:///") and artifact["uri"].endswith("/%E8%87%AA%E8%AF%84%20%E8%A1%A8/it-operations.yaml")
    assert "uriBaseId" not in artifact


# --- GitLab Code Quality -------------------------------------------------------------------


def gitlab(*argv: str, cwd: str | None = None) -> list[dict]:
    result = run_cli("check", "--format", "gitlab", *argv, cwd=cwd)
    assert "Traceback" not in result.err
    return json.loads(result.out)


def test_gitlab_code_quality_fields() -> None:
    issues = gitlab(SPECS)
    expected = json_findings(SPECS)
    assert isinstance(issues, list) and len(issues) == len(expected)
    severity = {"error": "major", "warning": "minor", "info": "info"}
    for issue, f in zip(issues, expected):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == f["code"] and issue["severity"] == severity[f["severity"]]
        assert f["message"] in issue["description"] and issue["description"].startswith(f["code"])
        assert issue["location"] == {"path": f["file"].replace(os.sep, "/"), "lines": {"begin": f["line"]}}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    majors = {(i["location"]["path"], i["check_name"]) for i in issues if i["severity"] == "major"}
    assert majors == {
        ("specs/2023/it-operations.yaml", "PS201"),
        ("specs/2023/online-housing-transactions.yaml", "PS104"),
        ("specs/2023/online-housing-transactions.yaml", "PS105"),
    }


def test_gitlab_leaves_acknowledged_findings_out(tmp_path) -> None:
    path = acknowledged_copy(tmp_path)
    issues = gitlab(path)
    assert issues and all(issue["check_name"] != "PS201" for issue in issues)
    assert any(f["code"] == "PS201" and f["acknowledged"] for f in json_findings(path))


def fingerprints_by_finding(name: str, cwd) -> dict[tuple[str, str], str]:
    issues = gitlab(name, cwd=str(cwd))
    keyed = {(f["code"], f["path"]): issue["fingerprint"] for f, issue in zip(json_findings(name, cwd=str(cwd)), issues)}
    assert len(keyed) == len(issues)
    return keyed


def test_gitlab_fingerprints_survive_moved_lines(tmp_path) -> None:
    for source in (REFERENCE, ONLINE):
        name = os.path.basename(source)
        original = text(source)
        (tmp_path / name).write_text(original, encoding="utf-8")
        before = fingerprints_by_finding(name, tmp_path)
        lines = [f["line"] for f in json_findings(name, cwd=str(tmp_path))]

        moved = "\n\n# 一条新注释\n# another comment\n\n" + original.replace("\nindicators:", "\n\n# 指标\nindicators:")
        (tmp_path / name).write_text(moved, encoding="utf-8")
        after = fingerprints_by_finding(name, tmp_path)
        assert [f["line"] for f in json_findings(name, cwd=str(tmp_path))] != lines  # the lines did move
        assert after == before, name

        assert fingerprints_by_finding(name, tmp_path) == after  # and the same input gives the same output
        (tmp_path / name).unlink()


def test_gitlab_fingerprints_of_other_findings_survive_a_changed_value(tmp_path) -> None:
    original = text(ONLINE)
    (tmp_path / "online-housing-transactions.yaml").write_text(original, encoding="utf-8")
    before = fingerprints_by_finding("online-housing-transactions.yaml", tmp_path)
    assert ("PS104", "total.weight") in before and ("PS105", "total.score") in before

    # 17 indicators weigh 85: writing 95 for the total weight changes PS104's message (95 is not the
    # full marks 100) but not what it is about; every other finding keeps its fingerprint.
    assert original.count("weight: 100.00") == 1
    (tmp_path / "online-housing-transactions.yaml").write_text(original.replace("weight: 100.00", "weight: 95.00"), encoding="utf-8")
    after = fingerprints_by_finding("online-housing-transactions.yaml", tmp_path)
    assert ("PS104", "total.weight") in after
    unchanged = {key: value for key, value in before.items() if key != ("PS104", "total.weight")}
    assert len(unchanged) >= 3  # PS105 and the two PS401
    assert {key: after.get(key) for key in unchanged} == unchanged  # new findings may appear


def test_gitlab_fingerprint_keeps_a_finding_whose_numbers_change(tmp_path) -> None:
    # Same problem at the same place with other numbers: the same issue for GitLab.
    original = text(REFERENCE)
    (tmp_path / "it-operations.yaml").write_text(original, encoding="utf-8")
    before = fingerprints_by_finding("it-operations.yaml", tmp_path)
    messages = {f["code"]: f["message"] for f in json_findings("it-operations.yaml", cwd=str(tmp_path))}
    changed = original.replace("        score: 8\n", "        score: 7\n").replace("total: {weight: 100.00, score: 97.96}", "total: {weight: 100.00, score: 96.96}")
    (tmp_path / "it-operations.yaml").write_text(changed, encoding="utf-8")
    after = fingerprints_by_finding("it-operations.yaml", tmp_path)
    assert {f["code"]: f["message"] for f in json_findings("it-operations.yaml", cwd=str(tmp_path))}["PS201"] != messages["PS201"]
    assert after[("PS201", "indicators.产出指标.时效指标[0]")] == before[("PS201", "indicators.产出指标.时效指标[0]")]


def test_gitlab_identical_findings_get_distinct_fingerprints(tmp_path) -> None:
    # A key written three times: two PS002 findings with the same path and the same message.
    text_ = text(REFERENCE).replace("        score: 8\n", "        score: 8\n        score: 8\n        score: 8\n")
    (tmp_path / "it-operations.yaml").write_text(text_, encoding="utf-8")
    issues = gitlab("it-operations.yaml", cwd=str(tmp_path))
    duplicates = [issue for issue in issues if issue["check_name"] == "PS002"]
    assert len(duplicates) == 2 and duplicates[0]["description"] == duplicates[1]["description"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert gitlab("it-operations.yaml", cwd=str(tmp_path)) == issues


def test_gitlab_fingerprints_do_not_depend_on_the_language() -> None:
    zh = gitlab(SPECS)
    en = gitlab("--lang", "en", SPECS)
    assert [i["fingerprint"] for i in zh] == [i["fingerprint"] for i in en]
    assert [i["description"] for i in zh] != [i["description"] for i in en]


# --- GitHub Actions -------------------------------------------------------------------------

COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def github(*argv: str, cwd: str | None = None) -> tuple[int, list[dict]]:
    result = run_cli("check", "--format", "github", *argv, cwd=cwd)
    assert "Traceback" not in result.err
    commands = []
    for line in result.out.splitlines():
        match = COMMAND.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
        commands.append({"level": match["level"], "props": props, "message": match["message"]})
    return result.code, commands


def unescape(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_workflow_commands() -> None:
    code, commands = github(SPECS)
    assert code == 1
    *annotations, hidden, last = commands
    # Errors first (then warnings, then notices), each kind in report order: GitHub shows at most
    # 10 of each kind per step, and a notice says how many it hid (the 14 warnings show 10).
    rank = {"error": 0, "warning": 1, "info": 2}
    expected = sorted(json_findings(SPECS), key=lambda f: rank[f["severity"]])
    assert len(annotations) == len(expected)
    assert hidden["level"] == "notice" and "另有 4 条警告" in unescape(hidden["message"])
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for command, f in zip(annotations, expected):
        props = command["props"]
        assert command["level"] == level[f["severity"]]
        assert list(props) == ["file", "line", "col", "endLine", "endColumn", "title"]
        assert props["file"] == f["file"].replace(os.sep, "/")
        assert (props["line"], props["col"]) == (str(f["line"]), str(f["column"]))
        assert (props["endLine"], props["endColumn"]) == (str(f["end_line"]), str(f["end_column"]))
        assert unescape(props["title"]) == f"{f['code']} {f['rule']}"
        assert unescape(command["message"]) == f"{f['message']} ({f['path']})"
    assert last["level"] == "notice" and unescape(last["message"]).startswith("检查了 9 个文件：")
    # 用户满意度 (%) messages: a literal % must travel as %25
    assert any("(%25)" in c["message"] for c in annotations)


def test_github_escaping() -> None:
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_github_escapes_file_names_and_reasons(tmp_path) -> None:
    odd = tmp_path / "a,b:c%.yaml"
    reason = "        acknowledge:\n          PS201: \"原表如此,\\n无法更改 100%\"\n"
    source = acknowledged_copy(tmp_path, reason)
    os.rename(source, odd)
    code, commands = github(odd.name, cwd=str(tmp_path))
    assert code == 0
    assert all(c["props"].get("file") == "a%2Cb%3Ac%25.yaml" for c in commands[:-1])
    (ack,) = [c for c in commands if unescape(c["props"].get("title", "")).startswith("PS201")]
    assert ack["level"] == "notice"
    assert ack["message"].endswith("[已确认：原表如此,%0A无法更改 100%25]")
    assert "\n" not in unescape(ack["message"]).split("[")[0]


def test_github_unreadable_file(tmp_path) -> None:
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing-target.yaml")
    code, commands = github("dangling.yaml", cwd=str(tmp_path))
    assert code == 2
    (error, summary) = commands
    assert error["level"] == "error" and error["props"]["file"] == "dangling.yaml" and error["message"]
    assert summary["level"] == "notice"


# --- JUnit XML ------------------------------------------------------------------------------


def junit(*argv: str, cwd: str | None = None) -> tuple[int, ET.Element]:
    result = run_cli("check", "--format", "junit", *argv, cwd=cwd)
    assert "Traceback" not in result.err
    assert result.out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return result.code, ET.fromstring(result.out.encode("utf-8"))


def test_junit_one_testcase_per_file() -> None:
    code, root = junit(SPECS)
    assert code == 1
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    files = sorted(f"specs/2023/{name}" for name in os.listdir(SPECS) if name.endswith(".yaml"))
    assert [case.get("name") for case in cases] == files
    assert all(case.get("classname") == "perfspec" and case.get("file") == case.get("name") for case in cases)
    for element in (root, suite):
        assert (element.get("tests"), element.get("failures"), element.get("errors")) == ("9", "2", "0")
    assert suite.get("name") == "perfspec"

    by_name = {case.get("name"): case for case in cases}
    (it_failure,) = by_name["specs/2023/it-operations.yaml"].findall("failure")
    assert it_failure.get("type") == "PS201" and "故障响应及时率" in it_failure.get("message")
    assert " PS201 " in it_failure.text and "\n" not in it_failure.text
    (online_failure,) = by_name["specs/2023/online-housing-transactions.yaml"].findall("failure")
    assert online_failure.get("type") == "PS104,PS105"
    assert online_failure.text.count("\n") == 1 and " PS104 " in online_failure.text and " PS105 " in online_failure.text
    assert " PS303 warning " in by_name["specs/2023/it-operations.yaml"].find("system-out").text

    expected = json_findings(SPECS)
    for name, case in by_name.items():
        failing = [f for f in expected if f["file"] == name and f["severity"] == "error"]
        others = [f for f in expected if f["file"] == name and f["severity"] != "error"]
        assert len(case.findall("failure")) == (1 if failing else 0)
        out = case.find("system-out")
        assert (out.text.count("\n") + 1 if out is not None else 0) == len(others)
        assert case.find("error") is None


def test_junit_acknowledged_and_escaped(tmp_path) -> None:
    reason = '        acknowledge:\n          PS201: "原表如此 <无法> & \\"更改\\""\n'
    path = acknowledged_copy(tmp_path, reason)
    code, root = junit(path)
    assert code == 0
    (case,) = root.iter("testcase")
    assert case.find("failure") is None and root.get("failures") == "0"
    assert '[已确认：原表如此 <无法> & "更改"]' in case.find("system-out").text


def test_junit_unreadable_file_is_an_error(tmp_path) -> None:
    shutil.copy(REFERENCE, tmp_path / "it-operations.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing-target.yaml")
    code, root = junit("dangling.yaml", "it-operations.yaml", cwd=str(tmp_path))
    assert code == 2
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "1")
    cases = {case.get("name"): case for case in root.iter("testcase")}
    error = cases["dangling.yaml"].find("error")
    assert error is not None and error.get("message") and error.text.startswith("dangling.yaml: ")
    assert cases["dangling.yaml"].find("failure") is None
    assert cases["it-operations.yaml"].find("failure").get("type") == "PS201"


# --- all of them ----------------------------------------------------------------------------


def test_the_formats_are_discovered() -> None:
    assert set(CI_FORMATS) <= set(FORMATS)


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_output_is_deterministic(fmt: str, tmp_path) -> None:
    acknowledged_copy(tmp_path)
    first = run_cli("check", "--format", fmt, SPECS, str(tmp_path))
    second = run_cli("check", "--format", fmt, SPECS, str(tmp_path))
    assert first.out == second.out and first.out.endswith("\n")
    assert first.code == second.code == 1


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_a_clean_file(fmt: str, tmp_path) -> None:
    path = acknowledged_copy(tmp_path)
    result = run_cli("check", "--format", fmt, "--select", "PS1,PS2", path)
    assert result.code == 0 and "Traceback" not in result.err
    if fmt == "sarif":
        assert_valid_sarif(json.loads(result.out))
    if fmt == "gitlab":
        assert json.loads(result.out) == []


def test_fingerprint_is_code_path_and_key_never_the_message() -> None:
    from perfspec.diagnostics import Finding
    from perfspec.outputs.formats.gitlab import fingerprints

    a = Finding("specs/a.yaml", 3, 1, "PS501", "warning", "没有一级指标“效益指标”", "no 效益指标", "indicators", key="效益指标")
    reworded = a._replace(message="缺少一级指标“效益指标”（原则 30 分）", message_en="missing", line=9)
    other = a._replace(key="满意度指标")
    assert fingerprints([a]) == fingerprints([reworded])
    assert fingerprints([a]) != fingerprints([other])
