"""One safe way to open a spec (perfspec/load/files.py), and a configuration nobody planted.

Links out of the repository, FIFOs, devices and oversized files, through check, render,
fix and import alike; 1,200 nested folders; a `.perfspec.yaml` in a shared parent folder.
The hostile situations run as in tests/test_hostile.py: a bounded subprocess each.
"""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from conftest import ROOT, run_cli
from test_hostile import MEMORY_LIMIT_MB, TIME_LIMIT, perfspec as measured

REFERENCE = os.path.join(ROOT, "specs", "2023", "it-operations.yaml")
SECRET = "TOP-SECRET-3f9a1c"


def reference() -> str:
    with open(REFERENCE, encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def repo(tmp_path):
    """A repository (its .perfspec.yaml marks the root) with one good form, and a secret outside it."""
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    (root / ".perfspec.yaml").write_text("paths: [specs]\n", encoding="utf-8")
    (root / "specs" / "good.yaml").write_text(reference(), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"project: {SECRET}\npassword: {SECRET}\n", encoding="utf-8")
    (outside / "form.yaml").write_text(reference().replace("信息化运维项目", SECRET), encoding="utf-8")
    return root


def no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and SECRET[:6] not in text, text[-2000:]


# --------------------------------------------------------------------------- links out of the repository


def test_a_link_to_a_file_outside_is_refused_by_every_command(repo, tmp_path) -> None:
    (repo / "specs" / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    check = run_cli("check", cwd=str(repo))
    assert check.code == 2
    [line] = check.err.splitlines()
    assert "leak.yaml" in line and "仓库之外" in line
    assert " PS201 " in check.out  # the good form is still checked
    no_secret(check.out)
    for fmt in ("html", "md"):
        out = tmp_path / f"report-{fmt}"
        render = run_cli("render", "specs", "--format", fmt, "-o", str(out), cwd=str(repo))
        assert "Traceback" not in render.err
        for name in os.listdir(out):
            no_secret((out / name).read_text(encoding="utf-8"))
        single = run_cli("render", "specs/leak.yaml", "--format", fmt, cwd=str(repo))
        assert single.code != 0 and "仓库之外" in single.err
        no_secret(single.out, single.err)
    before = (tmp_path / "outside" / "secret.yaml").read_bytes()
    fix = run_cli("fix", "specs/leak.yaml", cwd=str(repo))
    assert fix.code == 2 and "仓库之外" in fix.err
    assert (tmp_path / "outside" / "secret.yaml").read_bytes() == before
    export = run_cli("check", "--format", "json", "specs/leak.yaml", cwd=str(repo))
    assert export.code == 2
    no_secret(export.out, export.err)


def test_a_relative_link_climbing_out_is_refused(repo) -> None:
    (repo / "specs" / "up.yaml").symlink_to(os.path.join("..", "..", "outside", "secret.yaml"))
    result = run_cli("check", "specs/up.yaml", cwd=str(repo))
    assert result.code == 2 and "仓库之外" in result.err
    no_secret(result.out, result.err)


def test_the_specs_folder_itself_linked_outside_is_refused(repo, tmp_path) -> None:
    shutil.rmtree(repo / "specs")
    (repo / "specs").symlink_to(tmp_path / "outside", target_is_directory=True)
    for argv in (["check"], ["check", "specs"], ["check", "specs/form.yaml"]):
        result = run_cli(*argv, cwd=str(repo))
        assert result.code == 2, (argv, result.out, result.err)
        assert "仓库之外" in result.err
        no_secret(result.out, result.err)


def test_a_linked_folder_leading_outside_is_reported_not_skipped(repo, tmp_path) -> None:
    (repo / "specs" / "more").symlink_to(tmp_path / "outside", target_is_directory=True)
    result = run_cli("check", cwd=str(repo))
    assert result.code == 2
    [line] = result.err.splitlines()
    assert os.path.join("specs", "more") in line and "仓库之外" in line
    no_secret(result.out, result.err)


def test_links_inside_the_repository_are_followed(repo) -> None:
    (repo / "forms").mkdir()
    (repo / "forms" / "real.yaml").write_text(reference(), encoding="utf-8")
    (repo / "specs" / "alias.yaml").symlink_to(os.path.join("..", "forms", "real.yaml"))
    (repo / "specs" / "inner").symlink_to(repo / "forms", target_is_directory=True)  # not entered, not an error
    result = run_cli("check", "--format", "json", cwd=str(repo))
    assert result.code == 1 and result.err == ""
    assert "specs/alias.yaml" in result.out.replace(os.sep, "/")


def test_a_file_given_outside_the_working_repository_is_still_read(tmp_path) -> None:
    """Explicit paths elsewhere (another folder, no repository) keep working: only links out are refused."""
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "form.yaml").write_text(reference(), encoding="utf-8")
    result = run_cli("check", str(other / "form.yaml"))  # from the perfspec repository
    assert result.code == 1 and " PS201 " in result.out


def test_the_opener_refuses_what_the_loader_used_to_read(repo, tmp_path) -> None:
    from perfspec.load.files import NotRegular, Outside, TooLarge, read_spec

    (repo / "specs" / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    with pytest.raises(Outside):
        read_spec(str(repo / "specs" / "leak.yaml"), 1 << 20, str(repo))
    with pytest.raises(NotRegular):
        read_spec("/dev/null", 1 << 20, "/")
    with pytest.raises(IsADirectoryError):
        read_spec(str(repo / "specs"), 1 << 20, str(repo))
    big = repo / "specs" / "big.yaml"
    big.write_bytes(b"#" * 5000)
    with pytest.raises(TooLarge) as caught:
        read_spec(str(big), 4999, str(repo))
    assert caught.value.size == 5000
    assert read_spec(str(big), 5000, str(repo)) == b"#" * 5000


def test_never_more_than_the_limit_plus_one_byte_is_read(monkeypatch) -> None:
    """A file whose size fstat does not tell (like /proc files) is read up to limit + 1 bytes, then refused."""
    from perfspec.load import files

    if not os.path.exists("/proc/self/maps"):
        pytest.skip("no /proc on this system")
    read = []
    real_read = os.read

    def counting(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(files.os, "read", counting)
    with pytest.raises(files.TooLarge):
        files.read_spec("/proc/self/maps", 10, "/")
    assert sum(read) <= 11


# --------------------------------------------------------------------------- no FIFO, device or flood, in bounded runs


def make_hostile(repo, tmp_path) -> None:
    specs = repo / "specs"
    (specs / "zero.yaml").symlink_to("/dev/zero")
    (specs / "urandom.yaml").symlink_to("/dev/urandom")
    if hasattr(os, "mkfifo"):
        os.mkfifo(specs / "pipe.yaml")
    (specs / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    (specs / "proc.yaml").symlink_to("/proc/self/environ")
    (specs / "etc.yaml").symlink_to("/etc/passwd")


@pytest.mark.parametrize("command", [["check"], ["render", "specs", "-o", "out"], ["fix", "specs"]])
def test_pipes_devices_and_links_out_in_bounded_runs(repo, tmp_path, command) -> None:
    make_hostile(repo, tmp_path)
    run = measured(command, str(repo))
    run.assert_sound(codes=(0, 1, 2))
    assert run.seconds < TIME_LIMIT and run.rss_mb < MEMORY_LIMIT_MB
    no_secret(run.out, run.err)
    assert "root:" not in run.out + run.err  # nothing of /etc/passwd
    if command[0] == "check":
        assert run.code == 2
        for name in ("zero.yaml", "urandom.yaml", "leak.yaml", "proc.yaml", "etc.yaml") + (
            ("pipe.yaml",) if hasattr(os, "mkfifo") else ()
        ):
            assert [line for line in run.err.splitlines() if name in line], (name, run.err)
    if command[0] == "render":
        for name in os.listdir(repo / "out"):
            text = (repo / "out" / name).read_text(encoding="utf-8")
            no_secret(text)
            assert "root:" not in text


def test_import_reads_existing_specs_through_the_opener(repo, tmp_path) -> None:
    """`import -o DIR` reads the specs already in DIR to name the new one: a link out is not read."""
    import importlib

    (repo / "specs" / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    existing = importlib.import_module("perfspec.commands.import")._existing
    old = os.getcwd()
    os.chdir(repo)
    try:
        found = existing(str(repo / "specs"))
    finally:
        os.chdir(old)
    assert found and not [key for key in found if SECRET in str(key)]


# --------------------------------------------------------------------------- 1,200 nested folders


def deep_tree(root, depth: int = 1200) -> str:
    """specs/d/d/.../d/form.yaml, made one level at a time (os.makedirs itself recurses)."""
    folder = os.path.join(str(root), "specs")
    os.mkdir(folder)
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            below = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = below
        form = os.open("form.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        with os.fdopen(form, "w", encoding="utf-8") as handle:
            handle.write(reference())
    finally:
        os.close(fd)
    return os.path.join(folder, *["d"] * depth)


def test_1200_nested_folders(tmp_path) -> None:
    (tmp_path / ".perfspec.yaml").write_text("paths: [specs]\n", encoding="utf-8")
    deepest = deep_tree(tmp_path)
    try:
        if len(deepest) > 3900:
            pytest.skip("the temporary folder's path is too long for 1,200 levels")
        check = measured(["check", "--format", "json"], str(tmp_path))
        check.assert_sound(codes=(1,))
        assert "PS201" in check.out
        render = measured(["render", "specs", "-o", "out"], str(tmp_path))
        render.assert_sound(codes=(0, 1))
        fix = measured(["fix", "specs"], str(tmp_path))
        fix.assert_sound(codes=(0, 1, 2))
        from perfspec.config import find_config

        assert find_config(deepest) == str(tmp_path / ".perfspec.yaml")
    finally:
        remove_deep(deepest, 1200)


def remove_deep(deepest: str, depth: int) -> None:
    """Remove the tree from its bottom up (shutil.rmtree, and pytest's cleanup, recurse per level)."""
    folder = deepest
    for _ in range(depth + 1):
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)
        folder = os.path.dirname(folder)


# --------------------------------------------------------------------------- a configuration nobody planted


@pytest.fixture
def shared(tmp_path):
    """tmp/shared/.perfspec.yaml (ignoring every rule but one) above tmp/shared/work, where perfspec runs."""
    parent = tmp_path / "shared"
    work = parent / "work"
    (work / "specs").mkdir(parents=True)
    (work / "specs" / "form.yaml").write_text(reference(), encoding="utf-8")
    (parent / ".perfspec.yaml").write_text("select: [PS105]\npaths: [work/specs]\n", encoding="utf-8")
    yield parent, work
    os.chmod(parent, 0o755)


def test_a_config_in_a_world_writable_parent_is_refused(shared) -> None:
    parent, work = shared
    os.chmod(parent, 0o777)  # anyone may put a file here
    result = run_cli("check", "specs", cwd=str(work))
    assert result.code == 2 and "Traceback" not in result.err
    assert str(parent / ".perfspec.yaml") in result.err and "任何人都可以写入" in result.err
    assert "PS201" not in result.out  # nothing was checked under a planted configuration


def test_a_sticky_world_writable_parent_with_my_own_file_is_accepted(shared) -> None:
    parent, work = shared
    os.chmod(parent, 0o777 | stat.S_ISVTX)  # like /tmp: others cannot replace my file
    result = run_cli("check", "specs", cwd=str(work))
    assert result.code == 0 and "PS201" not in result.out  # the parent's select: [PS105] applies


def test_a_world_writable_config_file_in_a_parent_is_refused(shared) -> None:
    parent, work = shared
    os.chmod(parent / ".perfspec.yaml", 0o666)
    result = run_cli("check", "specs", cwd=str(work))
    assert result.code == 2 and "任何人都可以修改" in result.err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_config_owned_by_another_user_in_a_parent_is_refused(shared) -> None:
    parent, work = shared
    os.chown(parent / ".perfspec.yaml", 4242, 4242)
    result = run_cli("check", "specs", cwd=str(work))
    assert result.code == 2 and "uid 4242" in result.err and str(parent / ".perfspec.yaml") in result.err
    os.chown(parent / ".perfspec.yaml", 0, 0)
    os.chown(parent, 4243, 4243)  # the folder is someone else's: they could swap the file
    result = run_cli("check", "specs", cwd=str(work))
    assert result.code == 2 and "uid 4243" in result.err


def test_an_explicit_config_is_used_as_given(shared, monkeypatch) -> None:
    parent, work = shared
    os.chmod(parent, 0o777)
    monkeypatch.setenv("PERFSPEC_CONFIG", str(parent / ".perfspec.yaml"))
    result = run_cli("check", "specs", cwd=str(work))
    assert result.code == 0 and "PS201" not in result.out


def test_the_common_case_is_unaffected(tmp_path) -> None:
    """A configuration in the working folder (the repository one owns) is used whatever its folder allows."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "form.yaml").write_text(reference(), encoding="utf-8")
    (tmp_path / ".perfspec.yaml").write_text("select: [PS105]\n", encoding="utf-8")
    result = run_cli("check", cwd=str(tmp_path))
    assert result.code == 0
    deeper = run_cli("check", ".", cwd=str(tmp_path / "specs"))  # found one folder up, owned by me: fine
    assert deeper.code == 0 and "PS201" not in deeper.out
