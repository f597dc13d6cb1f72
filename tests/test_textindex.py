"""The full-text index's segmentation (store/textindex.py)."""

from __future__ import annotations

from jikenbo.store import textindex


def test_a_line_is_segmented_alike_alone_cached_or_not() -> None:
    # a short line is tokenized once per process and remembered; a long one each time: the
    # words are the same either way, and the same as the line's words within a text
    line = "個人情報の漏えいに関するお詫びとお知らせ"
    long_line = "当社サーバーが第三者による不正アクセスを受け、" * 20
    assert len(line) <= textindex.CACHED_LINE < len(long_line)
    alone = textindex.segmented(line)
    assert "漏洩" in alone.split()  # normalised form: 漏えい == 漏洩
    assert textindex.segmented(line) == alone  # from the cache
    assert textindex._tokenize(line) == list(textindex._line_tokens(line))
    text = f"{line}\n\n{long_line}\n{line}"
    assert textindex.segmented(text) == " ".join([alone, textindex.segmented(long_line), alone])
    assert textindex.segmented(long_line) == " ".join(n for _, n in textindex._tokenize(long_line) if n)


def test_punctuation_and_spaces_are_left_out() -> None:
    words = textindex.segmented("「お詫び」　と、ご報告。")
    assert words.split() == [w for w in words.split() if w.strip("「」、。 　")]
    assert "お詫び" in words or "詫び" in words
