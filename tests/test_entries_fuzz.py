"""Hypothesis fuzz of split_entries and chunk_note (issue 18): whatever the headings, entries tile the body.

Bodies are drawn from entry headings of every shape (day numbers, ranges, lists, numeric and written dates,
year-less dates, jrnl lines), other headings, fenced code and text. Invariants: at least one entry; entries
in order with increasing file lines; every non-blank character of the body is in exactly the entries'
bodies, in order; chunk_note's chunks never cross an entry and keep every character of their entry.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal_agent.notes.chunking import chunk_markdown
from journal_agent.notes.entries import covered_dates, split_entries
from journal_agent.notes.files import normalize_newlines

PIECES = ["### Day 12: January 4, 2020", "#### 13/11/2024 - Day 13", "## 2025-09-23", "## Day 11 to 15",
          "## Day 56, 57", "[2020-01-04 09:00] Started Rust.", "## June 16th", "## December 30th",
          "### Day 0: February 30, 2016", "#### 05/10/2024 && 06/10/2024 - Day 30 & 31", "## January 4-6, 2020",
          "# Log", "## Notes", "### Today's Progress", "```", "```python", "### Day 99 in code?", "    ## indented",
          "- ## Day 7 in a list", "> ## Day 8 quoted", "Setext Day 9", "---", "===", "text", "", "Day 3 words",
          "[ref]: http://x", "1. item"]
body = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=25).map("\n".join)


def _squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=400, deadline=dt.timedelta(seconds=5), database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=body, dated=st.booleans(), first_line=st.integers(1, 5))
def test_entries_tile_the_body(text, dated, first_line):
    text = normalize_newlines(text).strip("\n")  # as the notes model gives a body
    entries = split_entries(text, date=dt.date(2024, 1, 1) if dated else None, date_source="date" if dated else "",
                            fallback=lambda: (dt.date(2000, 1, 1), "mtime"), first_line=first_line)
    assert entries and [e.index for e in entries] == list(range(len(entries)))
    assert all(a.line < b.line for a, b in zip(entries, entries[1:], strict=False))
    whole = len(entries) == 1 and not entries[0].heading  # a whole-note entry is the file; a lone range is its heading
    assert entries[0].line == 1 if whole else all(e.line >= first_line for e in entries)
    assert _squeeze("".join(e.body for e in entries)) == _squeeze(text)
    for entry in entries:
        assert entry.date <= entry.end_date and covered_dates(entry)[0] == entry.date
        assert list(entry.days) == sorted(set(entry.days))
        chunks = chunk_markdown(entry.body)
        assert _squeeze("".join(c.text for c in chunks)) == _squeeze(entry.body)
