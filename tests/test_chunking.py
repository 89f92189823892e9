"""Heading-aware chunking."""

import pytest

from journal_agent.notes.chunking import MAX_CHARS, chunk_markdown


def test_fenced_code_stays_whole():
    code = "```python\n" + "\n".join(f"x_{i} = {i}  # a fairly long line of code" for i in range(40)) + "\n```"
    body = "# Title\n\nIntro paragraph.\n\n" + code + "\n\nAfter the code.\n"
    chunks = chunk_markdown(body)
    holding = [c for c in chunks if "x_0 = 0" in c.text]
    assert len(holding) == 1 and "x_39 = 39" in holding[0].text  # one chunk has the whole fence
    assert holding[0].text.count("```") == 2


def test_heading_path_and_size_bound():
    section = "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(12))
    body = f"# Top\n\n{section}\n\n## Child\n\n{section}\n"
    chunks = chunk_markdown(body)
    assert len(chunks) > 4
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert chunks[0].heading == "Top"
    assert chunks[-1].heading == "Top > Child"
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_embedding_text_carries_title_and_heading():
    chunk = chunk_markdown("# A\n\ntext " * 3)[0]
    text = chunk.embedding_text("Momentum Learning Day 2")
    assert text.startswith("Momentum Learning Day 2\nA\n")


def test_giant_paragraph_is_split():
    body = "Sentence number one is here. " * 300
    chunks = chunk_markdown(body)
    assert len(chunks) > 5 and all(len(c.text) <= MAX_CHARS for c in chunks)


@pytest.mark.parametrize("br", ["\r", "\r\n", "\f", "\v", "\x85", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e"],
                         ids=["CR", "CRLF", "FF", "VT", "NEL", "LS", "PS", "FS", "GS", "RS"])
def test_words_after_any_line_break_character_are_chunked(br):
    """markdown-it counts lines at \\n (after CR/CRLF → \\n); str.splitlines also splits at FF, VT, U+2028..."""
    body = f"# Title\n\nalpha beta{br}gamma delta\n\n## Part\n\nomega words{br}zeta end\n"
    text = " ".join(c.text for c in chunk_markdown(body))
    for word in ("gamma", "delta", "Part", "omega", "zeta", "end"):
        assert word in text, (br, word)


def test_every_non_blank_character_is_in_some_chunk():
    body = "[docs]: https://example.com\n\n# A\n\n" + "Sentence here. " * 200 + "\n\n```\n" + "x = 1\n" * 900 + "```\n"
    joined = "".join(c.text for c in chunk_markdown(body))
    assert "".join(joined.split()) == "".join(body.split())
