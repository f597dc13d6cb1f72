"""read_inputs: files, folders, stdin, refusals and the settings that bound them."""

from __future__ import annotations

import inspect
import io
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jikenbo import config
from jikenbo import read as read_mod
from jikenbo.models import Document, ReadError
from jikenbo.read import ReadOptions, read_inputs

FIX = Path(__file__).parent / "fixtures" / "read"
SHARED_SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"


def one(given: str, options: ReadOptions | None = None) -> Document | ReadError:
    results = list(read_inputs([given], options=options))
    assert len(results) == 1, results
    return results[0]


def error(given: str, options: ReadOptions | None = None) -> ReadError:
    result = one(given, options)
    assert isinstance(result, ReadError), result
    assert result.source == given
    assert "\n" not in result.message
    return result


# ---------------------------------------------------------------- files


def test_read_inputs_is_a_lazy_generator() -> None:
    consumed: list[str] = []

    def inputs() -> Iterator[str]:
        for name in ("notice_sjis.txt", "notice_eucjp.txt"):
            consumed.append(name)
            yield str(FIX / name)

    stream = read_inputs(inputs())
    assert inspect.isgenerator(stream)
    assert consumed == []
    first = next(stream)
    assert isinstance(first, Document)
    assert consumed == ["notice_sjis.txt"]  # the second input is not touched yet
    assert isinstance(next(stream), Document)


def test_source_is_the_input_exactly_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(FIX / "notice_sjis.txt", tmp_path / "a.txt")
    monkeypatch.chdir(tmp_path)
    for given in ("a.txt", "./a.txt", str(tmp_path / "a.txt")):
        doc = one(given)
        assert isinstance(doc, Document)
        assert doc.source == given


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("notice_sjis.txt", "text/plain"), ("news_page.html", "text/html"), ("notice.pdf", "application/pdf")],
)
def test_each_kind_of_file(name: str, media_type: str) -> None:
    doc = one(str(FIX / name))
    assert isinstance(doc, Document)
    assert doc.media_type == media_type
    assert doc.url is None and doc.fetched_at is None


@pytest.mark.parametrize(
    ("fixture", "media_type"),
    [("news_page.html", "text/html"), ("notice.pdf", "application/pdf"), ("notice_eucjp.txt", "text/plain")],
)
def test_unknown_extension_is_sniffed(tmp_path: Path, fixture: str, media_type: str) -> None:
    path = tmp_path / "download.dat"
    shutil.copy(FIX / fixture, path)
    doc = one(str(path))
    assert isinstance(doc, Document)
    assert doc.media_type == media_type


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notice.md"
    path.write_text("# 不正アクセスのお知らせ\n\n- 氏名\n- 住所\n", encoding="utf-8")
    doc = one(str(path))
    assert isinstance(doc, Document)
    assert doc.text == "# 不正アクセスのお知らせ\n\n- 氏名\n- 住所\n"


def test_missing_file() -> None:
    assert error("no/such/notice.txt").message == "no such file or directory"


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert error(str(tmp_path / "empty.txt")).message == "empty file"


def test_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)
    assert error(str(path)).message == "binary data, not a text document"


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("お知らせ", encoding="utf-8")

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    # Tests may run as root, for whom file modes deny nothing: refuse the open itself.
    monkeypatch.setattr(read_mod, "open", denied, raising=False)
    assert error(str(path)).message == "permission denied"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_by_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("お知らせ", encoding="utf-8")
    path.chmod(0)
    try:
        assert error(str(path)).message == "permission denied"
    finally:
        path.chmod(0o600)


def test_a_50_mb_file_is_refused_from_its_size_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk

    def must_not_read(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(read_mod, "_read_limited", must_not_read)
    message = error(str(path)).message
    assert message.startswith("file too large (52,428,800 bytes")
    assert "20,971,520" in message


def test_size_limit_comes_from_options(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("あ" * 100, encoding="utf-8")
    assert error(str(path), ReadOptions(max_bytes=100)).message.startswith("file too large")
    assert isinstance(one(str(path), ReadOptions(max_bytes=300)), Document)


def test_a_file_that_grows_past_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x" * 500, encoding="utf-8")
    real_stat = os.stat

    class SmallStat:  # stat said small; the bytes turn out larger (a growing log, a device)
        def __init__(self, p: str) -> None:
            self.st_size = 10
            self.st_mode = real_stat(p).st_mode

    monkeypatch.setattr(read_mod.os, "stat", lambda p: SmallStat(p))
    assert error(str(path), ReadOptions(max_bytes=100)).message == "file too large (over 100 bytes)"


def test_one_bad_input_does_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    results = list(read_inputs([str(tmp_path / "missing.txt"), str(tmp_path / "empty.txt"),
                                str(FIX / "encrypted.pdf"), str(FIX / "notice_sjis.txt")]))
    assert [type(r).__name__ for r in results] == ["ReadError", "ReadError", "ReadError", "Document"]


def test_an_unexpected_exception_becomes_a_read_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> Document:
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(read_mod, "_read_file", boom)
    results = list(read_inputs([str(FIX / "notice_sjis.txt"), "-"]))
    assert isinstance(results[0], ReadError)
    assert results[0].message == "unexpected error: RuntimeError: something broke"


def test_an_unexpected_exception_inside_decoding_becomes_a_read_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> object:
        raise KeyError("inner")

    monkeypatch.setattr(read_mod, "_html_fields", boom)
    result = error(str(FIX / "news_page.html"))
    assert result.message.startswith("unexpected error: KeyError")


# ---------------------------------------------------------------- folders


def make_tree(root: Path) -> None:
    (root / "b_sub" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".hidden_dir").mkdir()
    shutil.copy(FIX / "notice_sjis.txt", root / "a.txt")
    shutil.copy(FIX / "news_page.html", root / "b_sub" / "page.HTML")
    shutil.copy(FIX / "notice.pdf", root / "b_sub" / "deep" / "notice.pdf")
    shutil.copy(FIX / "notice_eucjp.txt", root / "c.md")
    shutil.copy(FIX / "notice_eucjp.txt", root / ".hidden.txt")
    shutil.copy(FIX / "notice_eucjp.txt", root / ".git" / "x.txt")
    shutil.copy(FIX / "notice_eucjp.txt", root / ".hidden_dir" / "y.txt")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "script.py").write_text("print('x')\n")
    (root / "b_sub" / "empty.txt").write_bytes(b"")


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "notices")
    monkeypatch.chdir(tmp_path)
    for given in ("notices", "notices/", "./notices"):
        results = list(read_inputs([given]))
        assert [r.source for r in results] == [
            os.path.join(given, "a.txt"),
            os.path.join(given, "b_sub/deep/notice.pdf"),
            os.path.join(given, "b_sub/empty.txt"),
            os.path.join(given, "b_sub/page.HTML"),
            os.path.join(given, "c.md"),
        ]
        kinds = [r.media_type if isinstance(r, Document) else r.message for r in results]
        assert kinds == ["text/plain", "application/pdf", "empty file", "text/html", "text/plain"]


def test_folder_without_readable_files(tmp_path: Path) -> None:
    (tmp_path / "only_images").mkdir()
    (tmp_path / "only_images" / "scan.png").write_bytes(b"\x89PNG")
    (tmp_path / "only_images" / ".notes.txt").write_text("隠しファイル")
    message = error(str(tmp_path / "only_images")).message
    assert message.startswith("folder holds no readable files")
    assert ".txt" in message and ".pdf" in message
    (tmp_path / "nothing").mkdir()
    assert error(str(tmp_path / "nothing")).message.startswith("folder holds no readable files")


def test_folder_extensions_come_from_options(tmp_path: Path) -> None:
    make_tree(tmp_path)
    opts = ReadOptions(text_extensions=(".md",), html_extensions=(), pdf_extensions=())
    assert [r.source for r in read_inputs([str(tmp_path)], options=opts)] == [str(tmp_path / "c.md")]


def test_unlistable_sub_folder_is_reported_and_the_rest_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path)
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if path.endswith("deep"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(read_mod.os, "scandir", scandir)
    results = list(read_inputs([str(tmp_path)]))
    deep = [r for r in results if r.source == os.path.join(str(tmp_path), "b_sub/deep")]
    assert len(deep) == 1 and isinstance(deep[0], ReadError)
    assert deep[0].message == "permission denied"
    assert sum(isinstance(r, Document) for r in results) == 3


# ---------------------------------------------------------------- stdin


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize(
    ("fixture", "media_type", "encoding"),
    [
        ("notice_sjis.txt", "text/plain", "cp932"),
        ("notice_iso2022jp.txt", "text/plain", "iso2022_jp"),
        ("notice_sjis.html", "text/html", "cp932"),
        ("notice.pdf", "application/pdf", None),
    ],
)
def test_stdin_is_decoded_like_a_file(
    monkeypatch: pytest.MonkeyPatch, fixture: str, media_type: str, encoding: str | None
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin((FIX / fixture).read_bytes()))
    doc = one("-")
    assert isinstance(doc, Document)
    assert doc.source == "-"
    assert doc.media_type == media_type
    assert doc.encoding == encoding


def test_empty_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b""))
    assert error("-").message == "empty file"


def test_stdin_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"x" * 200))
    assert error("-", ReadOptions(max_bytes=100)).message == "input too large (over 100 bytes)"


# ---------------------------------------------------------------- settings


def test_options_come_from_the_shipped_settings() -> None:
    opts = ReadOptions.from_settings()
    shipped = config.settings("read")
    assert opts.max_bytes == shipped["max_bytes"] == 20 * 1024 * 1024
    assert opts.max_redirects == 5
    assert opts.timeout_seconds == shipped["timeout_seconds"]
    assert opts.text_extensions == (".txt", ".text", ".md")
    assert opts.html_extensions == (".html", ".htm", ".xhtml")
    assert opts.pdf_extensions == (".pdf",)


def test_user_config_overrides_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "jikenbo.toml"
    user.write_text('[read]\nmax_bytes = 1000\nextensions = { text = [".log"] }\n', encoding="utf-8")
    monkeypatch.setenv("JIKENBO_CONFIG", str(user))
    config._user_config.cache_clear()
    config.settings.cache_clear()
    try:
        opts = ReadOptions.from_settings()
        assert opts.max_bytes == 1000
        assert opts.text_extensions == (".log",)
        assert opts.html_extensions == (".html", ".htm", ".xhtml")
    finally:
        monkeypatch.delenv("JIKENBO_CONFIG")
        config._user_config.cache_clear()
        config.settings.cache_clear()


# ---------------------------------------------------------------- shared seeds


@pytest.mark.shared
@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared is absent")
def test_shared_seeds_read_as_written() -> None:
    results = list(read_inputs([str(SHARED_SEEDS)]))
    assert results and all(isinstance(r, Document) for r in results)
    for doc in results:
        assert isinstance(doc, Document)
        raw = Path(doc.source).read_bytes()
        assert doc.text == raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def test_a_folder_that_cannot_be_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "closed").mkdir()

    def scandir(path: str) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(read_mod.os, "scandir", scandir)
    results = list(read_inputs([str(tmp_path / "closed"), str(FIX / "notice_sjis.txt")]))
    assert isinstance(results[0], ReadError)
    assert (results[0].source, results[0].message) == (str(tmp_path / "closed"), "permission denied")
    assert isinstance(results[1], Document)
