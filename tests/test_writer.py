"""perfspec.outputs.writer: the one atomic writer behind fix, render, export and import.

Real files in tmp_path throughout. The command-level tests (render, fix, import,
export) are the ones that failed before the writer existed: render wrote
`<name>.tmp` with a plain open(), fix split hard links, dropped extended
attributes and could not write a 245-byte name, and a form named index.yaml was
overwritten by the portfolio.
"""

from __future__ import annotations

import errno
import os
import pickle
import stat

import pytest

from conftest import ROOT, run_cli
from perfspec.outputs import writer
from perfspec.outputs.writer import WriteFailed, WriteRefused, write_atomic

SPECS = os.path.join(ROOT, "specs", "2023")
FORM = "it-operations.yaml"


def read(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def good() -> bytes:
    return read(os.path.join(SPECS, FORM))


def broken() -> bytes:
    """The bundled form with a wrong execution rate: fix has something to write."""
    return good().replace(b"  rate: 99.62", b"  rate: 1.00", 1)


def temps(folder) -> list[str]:
    """Temporary files left behind, by the writer's naming or the old render's `<name>.tmp`."""
    return sorted(n for n in os.listdir(folder) if n.startswith(".ps-") or n.endswith(".tmp") or "perfspec-" in n)


def has_user_xattrs(folder) -> bool:
    if not hasattr(os, "setxattr"):
        return False
    probe = folder / ".xattr-probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.perfspec-probe", b"1")
        return True
    except OSError:
        return False
    finally:
        probe.unlink()


# ==========================================================================
# The writer itself.


def test_a_new_file_gets_the_umask_mode_and_no_temporary_file(tmp_path) -> None:
    target = tmp_path / "new.html"
    write_atomic(str(target), b"hello")
    assert read(target) == b"hello"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~writer.current_umask()
    assert temps(tmp_path) == []


def test_a_new_file_gets_the_mode_asked_for(tmp_path) -> None:
    target = tmp_path / "new.yaml"
    write_atomic(str(target), b"x", mode=0o600)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_the_umask_is_read_without_changing_it() -> None:
    old = os.umask(0o027)
    try:
        assert writer.current_umask() == 0o027
        assert os.umask(0o027) == 0o027  # still what it was
    finally:
        os.umask(old)


def test_the_temporary_file_is_exclusive_nofollow_0600_with_a_short_name(tmp_path, monkeypatch) -> None:
    seen: list[tuple[str, int, int]] = []
    real = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT:
            seen.append((os.fspath(path), flags, mode))
        return real(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    write_atomic(str(tmp_path / "a.yaml"), b"x")
    [(temp, flags, mode)] = seen
    name = os.path.basename(temp)
    assert os.path.dirname(temp) == str(tmp_path)
    assert name.startswith(".ps-") and name.endswith(".tmp") and len(name) == 16
    for flag in (os.O_WRONLY, os.O_CREAT, os.O_EXCL, os.O_NOFOLLOW):
        assert flags & flag
    assert mode == 0o600


def test_permission_bits_are_kept(tmp_path) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(str(target), b"new")
    assert read(target) == b"new" and stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_a_symlink_inside_root_is_written_through(tmp_path) -> None:
    (tmp_path / "pages").mkdir()
    real = tmp_path / "pages" / "a.html"
    real.write_bytes(b"old")
    link = tmp_path / "a.html"
    link.symlink_to(os.path.join("pages", "a.html"))
    write_atomic(str(link), b"new", root=str(tmp_path))
    assert link.is_symlink() and read(real) == b"new"
    assert temps(tmp_path) == [] and temps(tmp_path / "pages") == []


def test_a_symlink_without_root_is_written_through(tmp_path) -> None:
    real = tmp_path / "elsewhere.yaml"
    real.write_bytes(b"old")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "a.yaml"
    link.symlink_to(real)
    write_atomic(str(link), b"new")
    assert link.is_symlink() and read(real) == b"new"


def test_a_symlink_outside_root_is_refused(tmp_path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"secret")
    out = tmp_path / "out"
    out.mkdir()
    link = out / "a.html"
    link.symlink_to(os.path.join("..", "victim"))
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(link), b"evil", root=str(out))
    assert str(link) in str(caught.value) and "符号链接" in str(caught.value) and "输出文件夹" in str(caught.value)
    assert "symbolic link" in caught.value.en and str(link) in caught.value.en
    assert read(victim) == b"secret" and link.is_symlink()
    assert temps(out) == [] and temps(tmp_path) == []


def test_a_linked_folder_leading_outside_root_is_refused(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").symlink_to(outside)
    with pytest.raises(WriteRefused):
        write_atomic(str(out / "sub" / "a.html"), b"evil", root=str(out))
    assert os.listdir(outside) == []


def test_a_dangling_symlink_is_refused(tmp_path) -> None:
    link = tmp_path / "a.yaml"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(link), b"x")
    assert "不存在" in str(caught.value)
    assert not (tmp_path / "nowhere").exists() and link.is_symlink()


def test_a_fifo_target_is_refused(tmp_path) -> None:
    fifo = tmp_path / "a.html"
    os.mkfifo(fifo)
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(fifo), b"x")
    assert "管道" in str(caught.value) and "FIFO" in caught.value.en
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and temps(tmp_path) == []


def test_a_folder_target_is_refused(tmp_path) -> None:
    (tmp_path / "a.html").mkdir()
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(tmp_path / "a.html"), b"x")
    assert "文件夹" in str(caught.value)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_target_is_refused() -> None:
    with pytest.raises(WriteRefused) as caught:
        write_atomic("/dev/null", b"x")
    assert "设备" in str(caught.value)


def test_a_hard_linked_file_is_refused_and_both_names_unchanged(tmp_path) -> None:
    first = tmp_path / "a.yaml"
    first.write_bytes(b"old")
    second = tmp_path / "b.yaml"
    os.link(first, second)
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(first), b"new")
    assert "硬链接" in str(caught.value) and "split the hard link" in caught.value.en
    assert read(first) == read(second) == b"old"
    assert os.stat(first).st_ino == os.stat(second).st_ino and os.stat(first).st_nlink == 2
    assert temps(tmp_path) == []


def test_a_file_of_another_owner_is_refused_when_not_root(tmp_path, monkeypatch) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(target).st_uid + 1)  # we are someone else, not root
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(target), b"new")
    assert "另一个用户" in str(caught.value) and "hand the file" in caught.value.en
    assert read(target) == b"old" and temps(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give a file to another owner")
def test_root_keeps_the_owner_and_group(tmp_path) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    os.chown(target, 4242, 4343)
    write_atomic(str(target), b"new")
    info = os.stat(target)
    assert read(target) == b"new" and (info.st_uid, info.st_gid) == (4242, 4343)


def test_extended_attributes_are_kept(tmp_path) -> None:
    if not has_user_xattrs(tmp_path):
        pytest.skip("the temporary folder's file system does not support user extended attributes")
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    os.setxattr(target, "user.perfspec.test", b"kept")
    write_atomic(str(target), b"new")
    assert read(target) == b"new" and os.getxattr(target, "user.perfspec.test") == b"kept"


def test_an_extended_attribute_that_cannot_be_copied_is_a_refusal(tmp_path, monkeypatch) -> None:
    if not has_user_xattrs(tmp_path):
        pytest.skip("the temporary folder's file system does not support user extended attributes")
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    os.setxattr(target, "user.perfspec.test", b"kept")

    def refuse(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "setxattr", refuse)
    with pytest.raises(WriteRefused) as caught:
        write_atomic(str(target), b"new")
    assert "user.perfspec.test" in str(caught.value) and "扩展属性" in str(caught.value)
    assert read(target) == b"old" and os.getxattr(target, "user.perfspec.test") == b"kept"
    assert temps(tmp_path) == []


def test_a_file_system_without_extended_attributes_is_fine(tmp_path, monkeypatch) -> None:
    def unsupported(*args, **kwargs):
        raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP))

    monkeypatch.setattr(os, "listxattr", unsupported, raising=False)
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    write_atomic(str(target), b"new")
    assert read(target) == b"new"


@pytest.mark.parametrize("length", [245, 255])
def test_a_long_legal_name_is_written(tmp_path, length: int) -> None:
    target = tmp_path / ("x" * (length - 5) + ".yaml")
    target.write_bytes(b"old")
    write_atomic(str(target), b"new")
    assert read(target) == b"new" and temps(tmp_path) == []


@pytest.mark.parametrize("fault", [OSError(errno.EIO, "Input/output error"), KeyboardInterrupt(), SystemExit(143)])
def test_a_failure_in_the_middle_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch, fault) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    calls: list[int] = []

    def boom(fd):
        calls.append(fd)
        raise fault

    monkeypatch.setattr(os, "fsync", boom)
    expected = WriteFailed if isinstance(fault, OSError) else type(fault)
    with pytest.raises(expected) as caught:
        write_atomic(str(target), b"new")
    assert calls, "the write never reached fsync"
    if isinstance(fault, OSError):
        assert caught.value.stage == "write" and caught.value.errno == errno.EIO
        assert caught.value.filename == str(target)
    assert read(target) == b"old" and os.listdir(tmp_path) == ["a.yaml"]


def test_a_failed_rename_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")

    def refuse(*args, **kwargs):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteFailed):
        write_atomic(str(target), b"new")
    assert read(target) == b"old" and os.listdir(tmp_path) == ["a.yaml"]


def test_a_temporary_name_taken_by_a_planted_link_is_never_followed(tmp_path, monkeypatch) -> None:
    """The first random name is taken by a link to the victim: O_EXCL refuses it and another name is used."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"secret")
    out = tmp_path / "out"
    out.mkdir()
    names = iter(["aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(writer.secrets, "token_hex", lambda n: next(names))
    (out / ".ps-aaaaaaaa.tmp").symlink_to(victim)
    write_atomic(str(out / "a.html"), b"page", root=str(out))
    assert read(victim) == b"secret" and read(out / "a.html") == b"page"
    assert (out / ".ps-aaaaaaaa.tmp").is_symlink()


def test_the_errors_are_oserrors_and_survive_pickling(tmp_path) -> None:
    """Render writes from forked workers; export reports any OSError: both must carry the reason."""
    refused = WriteRefused("out/a.html", "原因", "reason")
    again = pickle.loads(pickle.dumps(refused))
    assert isinstance(again, OSError) and str(again) == "out/a.html：原因，未写入" and again.en == "out/a.html: reason; not written"
    assert (again.filename, again.strerror) == ("out/a.html", "原因")
    failed = pickle.loads(pickle.dumps(WriteFailed(errno.ENOSPC, "No space", "a.yaml", "create")))
    assert (failed.errno, failed.strerror, failed.filename, failed.stage) == (errno.ENOSPC, "No space", "a.yaml", "create")


# ==========================================================================
# render


@pytest.fixture
def forms(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(good())
    return folder


def render(forms, out, *extra: str):
    return run_cli("render", str(forms), "-o", str(out), *extra)


def test_render_does_not_follow_a_planted_temporary_link(tmp_path, forms) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"secret")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.html.tmp").symlink_to(os.path.join("..", "victim"))
    result = render(forms, out)
    assert result.code == 0, result.err
    assert read(victim) == b"secret"
    assert (out / "a.html.tmp").is_symlink()  # not ours: left alone
    assert not (out / "a.html").is_symlink() and b"<html" in read(out / "a.html").lower()


def test_render_refuses_a_page_linked_out_of_the_output_folder(tmp_path, forms) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"secret")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.html").symlink_to(os.path.join("..", "victim"))
    result = render(forms, out)
    assert result.code == 2
    assert f"无法写入报告：{out / 'a.html'} 是指向 {victim} 的符号链接" in result.err
    assert read(victim) == b"secret" and (out / "a.html").is_symlink()


def test_render_writes_through_a_link_inside_the_output_folder(tmp_path, forms) -> None:
    out = tmp_path / "out"
    (out / "pages").mkdir(parents=True)
    (out / "pages" / "a.html").write_bytes(b"old")
    (out / "a.html").symlink_to(os.path.join("pages", "a.html"))
    assert render(forms, out).code == 0
    assert (out / "a.html").is_symlink() and b"<html" in read(out / "pages" / "a.html").lower()


def test_render_refuses_a_fifo_in_place_of_a_page(tmp_path, forms) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "a.html")
    result = render(forms, out)
    assert result.code == 2 and "管道（FIFO）" in result.err
    assert stat.S_ISFIFO(os.lstat(out / "a.html").st_mode)


def test_render_keeps_the_permission_bits_of_a_page_it_replaces(tmp_path, forms) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_bytes(b"old")
    (out / "index.html").chmod(0o640)
    assert render(forms, out).code == 0
    assert stat.S_IMODE(os.stat(out / "index.html").st_mode) == 0o640 and read(out / "index.html") != b"old"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give a file to another owner")
def test_render_as_root_keeps_the_owner_of_a_page_it_replaces(tmp_path, forms) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_bytes(b"old")
    os.chown(out / "index.html", 4242, 4343)
    assert render(forms, out).code == 0
    info = os.stat(out / "index.html")
    assert (info.st_uid, info.st_gid) == (4242, 4343)


@pytest.mark.parametrize("fault", [OSError(errno.EIO, "Input/output error"), KeyboardInterrupt()], ids=["EIO", "Ctrl-C"])
def test_render_leaves_no_temporary_file_when_a_write_fails(tmp_path, forms, monkeypatch, fault) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.html").write_bytes(b"old page")

    def refuse(*args, **kwargs):
        raise fault

    monkeypatch.setattr(os, "replace", refuse)
    result = render(forms, out)
    assert result.code == (2 if isinstance(fault, OSError) else 130)
    assert sorted(os.listdir(out)) == ["a.html"] and read(out / "a.html") == b"old page"


@pytest.mark.parametrize(
    "fmt,stem,index,page",
    [("html", "index", "index.html", "index-form.html"), ("md", "README", "README.md", "README-form.md"),
     ("html", "Index", "index.html", "Index-form.html")],
)
def test_a_form_named_like_the_portfolio_keeps_its_own_page(tmp_path, fmt: str, stem: str, index: str, page: str) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / f"{stem}.yaml").write_bytes(good())
    (folder / "other.yaml").write_bytes(good())
    out = tmp_path / "out"
    assert run_cli("render", str(folder), "-o", str(out), "--format", fmt).code == 0
    suffix = "." + fmt
    assert sorted(os.listdir(out)) == sorted([index, page, "other" + suffix])
    portfolio = (out / index).read_text(encoding="utf-8")
    form = (out / page).read_text(encoding="utf-8")
    assert page in portfolio  # the portfolio links to the form where it is
    assert portfolio != form and "汇总" in portfolio


def test_a_form_page_never_takes_a_name_already_used(tmp_path) -> None:
    from perfspec.commands.render import reserve

    slugs = {"a/index.yaml": "index", "b/index-form.yaml": "index-form", "c.yaml": "c"}
    assert reserve(slugs, ".html", "index.html") == {"a/index.yaml": "index-form-2", "b/index-form.yaml": "index-form", "c.yaml": "c"}
    assert reserve({"x.yaml": "index"}, ".md", "README.md") == {"x.yaml": "index"}


# ==========================================================================
# fix


def fixable(folder, name: str = FORM):
    path = folder / name
    path.write_bytes(broken())
    return path


def test_fix_refuses_to_split_a_hard_link(tmp_path) -> None:
    path = fixable(tmp_path)
    other = tmp_path / "same.yaml.bak"
    os.link(path, other)
    result = run_cli("fix", str(path))
    assert result.code == 2 and result.out == ""
    assert result.err == (
        f"perfspec fix: {path}: 有 2 个硬链接，替换它会拆开硬链接（其他名字仍是旧内容），未修改（原文件保持不变）\n"
    )
    assert read(path) == read(other) == broken() and os.stat(path).st_nlink == 2
    assert temps(tmp_path) == []


def test_fix_keeps_extended_attributes(tmp_path) -> None:
    if not has_user_xattrs(tmp_path):
        pytest.skip("the temporary folder's file system does not support user extended attributes")
    path = fixable(tmp_path)
    os.setxattr(path, "user.perfspec.test", b"kept")
    assert run_cli("fix", str(path)).code == 1
    assert read(path) == good() and os.getxattr(path, "user.perfspec.test") == b"kept"


def test_fix_refuses_a_file_of_another_owner_when_not_root(tmp_path, monkeypatch) -> None:
    path = fixable(tmp_path)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(path).st_uid + 1)
    result = run_cli("fix", "--lang", "en", str(path))
    assert result.code == 2 and "belongs to another user" in result.err and "not changed" in result.err
    assert read(path) == broken()


@pytest.mark.parametrize("length", [245, 255])
def test_fix_writes_a_long_legal_name(tmp_path, length: int) -> None:
    path = fixable(tmp_path, "x" * (length - 5) + ".yaml")
    result = run_cli("fix", str(path))
    assert result.code == 1, result.err
    assert read(path) == good() and temps(tmp_path) == []


def test_fix_diff_headers_cannot_be_forged_by_a_file_name(tmp_path) -> None:
    name = "x\n+++ b/evil.yaml"  # a folder "x\n+++ b" holding evil.yaml
    (tmp_path / "x\n+++ b").mkdir()
    fixable(tmp_path, name)
    result = run_cli("fix", "--diff", name, cwd=str(tmp_path))
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert lines[0] == '--- "a/x\\n+++ b/evil.yaml"'
    assert lines[1] == '+++ "b/x\\n+++ b/evil.yaml"'
    assert [line for line in lines if line.startswith(("---", "+++"))] == lines[:2]
    assert not any(line.startswith("+++ b/evil") for line in lines)


def test_diff_header_names_are_quoted_like_git() -> None:
    from perfspec.fix import diff_header_name

    assert diff_header_name("a/specs/项目.yaml") == "a/specs/项目.yaml"
    assert diff_header_name("a/t\tb\rc") == '"a/t\\tb\\rc"'
    assert diff_header_name('a/q"\\') == '"a/q\\"\\\\"'
    assert diff_header_name("a/x\u2028y\x85z") == '"a/x\\342\\200\\250y\\302\\205z"'


# ==========================================================================
# import and export


def test_import_refuses_to_split_a_hard_link_and_writes_nothing(tmp_path) -> None:
    text = os.path.join(ROOT, "tests", "data", "2023-shanghai-real-estate-trading-center.txt")
    out = tmp_path / "specs"
    assert run_cli("import", text, "--from", "text", "-o", str(out)).code == 0
    written = sorted(os.listdir(out))
    target = out / written[0]
    os.link(target, tmp_path / "linked.yaml")
    before = {n: read(out / n) for n in written}
    result = run_cli("import", text, "--from", "text", "-o", str(out), "--force")
    assert result.code == 2 and "硬链接" in result.err and str(target) in result.err
    assert {n: read(out / n) for n in sorted(os.listdir(out))} == before
    assert os.stat(target).st_nlink == 2


def test_export_refuses_an_output_linked_out_of_its_folder(tmp_path) -> None:
    pytest.importorskip("openpyxl")
    victim = tmp_path / "victim.xlsx"
    victim.write_bytes(b"secret")
    out = tmp_path / "out"
    out.mkdir()
    link = out / "report.xlsx"
    link.symlink_to(victim)
    result = run_cli("export", os.path.join(SPECS, FORM), "-o", str(link))
    assert result.code == 2 and "符号链接" in result.err
    assert read(victim) == b"secret" and link.is_symlink() and os.listdir(out) == ["report.xlsx"]


@pytest.mark.parametrize("fault", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_streamed_write_that_fails_half_way_leaves_the_original(tmp_path, fault) -> None:
    target = tmp_path / "big.xlsx"
    target.write_bytes(b"old")

    def produce(handle) -> None:
        handle.write(b"x" * 100_000)
        raise fault

    expected = WriteFailed if isinstance(fault, OSError) else type(fault)
    with pytest.raises(expected):
        writer.write_atomic_with(str(target), produce)
    assert read(target) == b"old" and os.listdir(tmp_path) == ["big.xlsx"]


def test_a_streamed_write_gets_every_piece(tmp_path) -> None:
    target = tmp_path / "out.csv"

    def produce(handle) -> None:
        for i in range(1000):
            handle.write(b"%d\n" % i)

    writer.write_atomic_with(str(target), produce)
    assert read(target) == b"".join(b"%d\n" % i for i in range(1000)) and temps(tmp_path) == []


def test_an_export_that_cannot_be_written_leaves_the_old_workbook_and_no_temporary_file(tmp_path, monkeypatch) -> None:
    out = tmp_path / "book.xlsx"
    out.write_bytes(b"old")
    real_fsync = os.fsync

    def boom(fd):
        if os.fstat(fd).st_size > 1000:  # the workbook, not a sheet's temporary file
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", boom)
    result = run_cli("export", os.path.join(ROOT, "specs", "2023"), "-o", str(out))
    assert result.code == 2 and "book.xlsx" in result.err
    assert read(out) == b"old" and os.listdir(tmp_path) == ["book.xlsx"]


def test_signals_held_wait_until_the_block_is_done() -> None:
    # Between creating the temporary file and learning its name, a Ctrl-C left a .ps-*.tmp beside the output.
    import signal

    from perfspec.outputs.writer import _signals_held

    if not hasattr(signal, "pthread_sigmask"):
        pytest.skip("the system cannot hold signals")
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with _signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("the block went on")
        steps.append("after the block")  # not reached: the held Ctrl-C interrupts as the block ends
    assert steps == ["the block went on"]
