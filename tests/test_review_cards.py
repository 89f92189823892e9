"""Review cards from notes (issue 14): what each structure a learner writes becomes, and what never does."""

from __future__ import annotations

import re
from pathlib import Path

from journal_agent.notes.model import read_note
from journal_agent.notes.walk import iter_note_files
from journal_agent.review.cards import (
    SHORT_SECTION_CHARS,
    card_id,
    cards_from_markdown,
    extract_cards,
)
from tests.support.journals import REPO, SEED, SIMONW, needs_simonw, write

# A note written the way the learner writes: front matter, a "Day N" heading, bold term lines
# in a list, question lines, a short section, and code that looks like card syntax.
DAY_3 = """---
title: Momentum Learning Day 3
date: 2025-09-19
categories: [Momentum_Learning]
---
# Day 3 | Momentum Learning Series

Today I continued the MemGPT course.

- **Core memory**: the always-in-context blocks the agent edits with tools.
- **Archival memory** → long-term storage outside the context window, searched on demand.
- **Recall memory:** the full conversation history, searchable.

What does the agent loop need to stop?::A step cap, or a final answer with no tool call
Heartbeat:::a tool-call flag asking for another step
A line with `std::vector` in code is not a card.

## Why do CNNs shrink the image?

Pooling and strided convolutions trade spatial size for depth.

```python
memory = {"human": "a::b"}
**key**: value
```
"""


def _cards(tmp_path: Path, text: str, name: str = "notes/day.md"):
    path = write(tmp_path / name, text)
    return extract_cards(read_note(path, tmp_path), text=text)


def test_seed_note_yields_no_cards_its_prose_and_long_section_are_not_questions():
    # The seed note is prose: no bold terms, no :: lines, no definition list. Its one
    # sub-heading, "## Book part", holds seven blocks (~1,100 characters), far over the
    # short-section limit; its "# Day 2| ..." heading is the note's title. Lines like
    # "In terms of feature learning:" and the bullet list after it are not term lines.
    note = read_note(SEED, REPO)
    assert "## Book part" in note.body and "In terms of feature learning:" in note.body
    assert extract_cards(note) == []


def test_learner_style_note_gives_term_question_and_section_cards(tmp_path):
    cards = _cards(tmp_path, DAY_3)
    got = [(c.kind, c.question, c.answer, c.line) for c in cards]
    assert got == [
        ("term", "Core memory", "the always-in-context blocks the agent edits with tools.", 10),
        ("term", "Archival memory", "long-term storage outside the context window, searched on demand.", 11),
        ("term", "Recall memory", "the full conversation history, searchable.", 12),
        ("qa", "What does the agent loop need to stop?", "A step cap, or a final answer with no tool call", 14),
        ("qa", "Heartbeat", "a tool-call flag asking for another step", 15),
        ("qa-reverse", "a tool-call flag asking for another step", "Heartbeat", 15),
        ("heading", "Why do CNNs shrink the image?",  # two blocks, the code block is part of the answer
         'Pooling and strided convolutions trade spatial size for depth.\n\n'
         '```python\nmemory = {"human": "a::b"}\n**key**: value\n```', 18),
    ]
    lines = DAY_3.splitlines()
    assert lines[9].startswith("- **Core memory**") and lines[17].startswith("## Why")  # lines are file lines
    assert all(c.path == "notes/day.md" for c in cards)
    assert len({c.id for c in cards}) == len(cards)


def test_nothing_inside_code_becomes_a_card(tmp_path):
    text = """# Code day

```python
x = {"a::b": 1}
**key**: value
```

    indented::code
    **also**: code

`inline::code` at the start of a line.

~~~
Question::Answer
~~~
"""
    assert _cards(tmp_path, text) == []


def test_definition_list_and_term_line_answered_by_its_list(tmp_path):
    text = """# Day 4

Gradient descent
: An optimizer that follows
  the negative gradient.
: It needs a learning rate.

- **CNN layers**:
  - convolutional (feature extraction)
  - fully connected (classification)
"""
    cards = _cards(tmp_path, text)
    assert [(c.kind, c.question, c.answer) for c in cards] == [
        ("term", "Gradient descent",
         "An optimizer that follows\nthe negative gradient.\n\nIt needs a learning rate."),
        ("term", "CNN layers", "- convolutional (feature extraction)\n- fully connected (classification)"),
    ]


def test_labels_long_sections_outline_and_label_headings_make_no_cards(tmp_path):
    long_section = "word " * (SHORT_SECTION_CHARS // 5 + 10)
    text = f"""# Day 5

**Note**: remember to push.
**Update 27th January**: the API changed.

| term | **Bold**: cell |
|------|------|
| a::b | c |

## References

- [a link](https://example.org)

## Long section

{long_section}

## Outline heading

Intro line.

### Leaf

The leaf's own short answer.

## Screenshot

![a screenshot](shot.png)

## Steps

Run these commands:
"""
    cards = _cards(tmp_path, text)
    assert cards == []  # issue 14 made "Leaf" a card; issue 20: a label is not a question


def test_card_ids_are_stable_under_rewording_of_marks_and_case():
    path = "notes/day.md"
    assert card_id(path, "qa", "What is `RRF`?") == card_id(path, "qa", "what is  RRF")
    assert card_id(path, "qa", "What is RRF") != card_id("notes/other.md", "qa", "What is RRF")
    assert card_id(path, "qa", "RRF") != card_id(path, "term", "RRF")
    assert len(card_id(path, "term", "x")) == 16
    # The same question twice in one note is one card: the first wins.
    cards = cards_from_markdown("RRF::first\n\nRRF::second\n", path)
    assert [(c.question, c.answer) for c in cards] == [("RRF", "first")]


@needs_simonw
def test_simonw_til_cards_never_come_from_fenced_code():
    root = SIMONW
    fence = re.compile(r"^\s{0,3}(```|~~~)")
    total = 0
    for path in iter_note_files([root]):
        note = read_note(path, root, root)
        text = path.read_text(encoding="utf-8-sig")
        inside, fenced_lines = None, set()
        for number, line in enumerate(text.splitlines(), start=1):
            match = fence.match(line)
            if match and inside is None:
                inside = match.group(1)
            elif match and line.strip().startswith(inside or "\0"):
                inside = None
            elif inside:
                fenced_lines.add(number)
        cards = extract_cards(note, text=text)
        total += len(cards)
        assert not [c for c in cards if c.line in fenced_lines], path
    assert total > 20  # 27 measured (issue 20): 24 term lines, 3 question headings; "## Installing DuckDB" is no card
