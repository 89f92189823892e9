"""``journal review`` end to end (issue 14): --json, --all, --rate, --export-anki, and a session fed keys.

The ``.apkg`` checks follow the format genanki writes (https://github.com/kerrickstaley/genanki,
``Package.write_to_file``): a zip holding an SQLite ``collection.anki2`` whose ``notes``
table has one row per note with its ``guid`` and fields joined by ``\\x1f``, and whose
``col.decks`` JSON holds the deck. Anki matches notes on re-import by ``guid``.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile

import genanki

from journal_agent.review.anki import deck_id_for
from tests.support.journals import write

NOTE = """---
title: Momentum Learning Day 3
date: 2025-09-19
---
# Day 3 | Momentum Learning Series

- **Core memory**: the always-in-context blocks.
- **Archival memory** → long-term storage outside the context window.

What is RRF?::Reciprocal rank fusion of ranked lists

```
not::a card
```
"""

PRIVATE = """---
title: Private thoughts
date: 2025-09-20
private: true
---
**Secret term**: not for sharing.
"""


def _json(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_lists_due_cards_and_rate_takes_one_out_until_it_is_due(journal_dir, run_cli):
    write(journal_dir / "notes" / "day3.md", NOTE)
    cards = _json(run_cli("review", "--json"))
    assert [(c["question"], c["answer"], c["path"]) for c in cards] == [
        ("Core memory", "the always-in-context blocks.", "notes/day3.md"),
        ("Archival memory", "long-term storage outside the context window.", "notes/day3.md"),
        ("What is RRF?", "Reciprocal rank fusion of ranked lists", "notes/day3.md"),
    ]
    assert all(set(c) >= {"id", "question", "answer", "path", "due"} for c in cards)

    rated = run_cli("review", "--rate", cards[0]["id"][:8], "good")
    assert rated.exit_code == 0, rated.output
    assert f"Rated {cards[0]['id']} good: due again in 10m" in rated.stdout

    due = _json(run_cli("review", "--json"))
    assert [c["question"] for c in due] == ["Archival memory", "What is RRF?"]
    everything = _json(run_cli("review", "--json", "--all"))
    assert [c["question"] for c in everything] == ["Archival memory", "What is RRF?", "Core memory"]
    assert everything[-1]["state"] == "learning" and everything[-1]["reviews"] == 1


def test_json_after_editing_a_note_shows_the_new_answer_under_the_same_id(journal_dir, run_cli):
    note = write(journal_dir / "notes" / "day3.md", NOTE)
    before = {c["question"]: c["id"] for c in _json(run_cli("review", "--json"))}
    note.write_text(NOTE.replace("the always-in-context blocks.", "blocks the agent always sees."), encoding="utf-8")
    result = run_cli("review", "--json", "--all")
    after = {c["question"]: (c["id"], c["answer"]) for c in _json(result)}
    assert after["Core memory"] == (before["Core memory"], "blocks the agent always sees.")
    assert "1 updated" in result.stderr


def test_rate_errors_are_one_line(journal_dir, run_cli):
    write(journal_dir / "notes" / "day3.md", NOTE)
    result = run_cli("review", "--rate", "0123456789abcdef", "good")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: no card '0123456789abcdef'; `journal review --json --all` lists the ids"]
    bad = run_cli("review", "--rate", "0123", "perfect")
    assert bad.exit_code == 2 and "'perfect' is not a rating; use 1 again, 2 hard, 3 good or 4 easy" in bad.stderr
    both = run_cli("review", "--json", "--rate", "0123", "good")
    assert both.exit_code == 2 and "--json and --rate cannot be used together" in both.stderr


def _apkg(path) -> tuple[list[tuple[str, str]], dict]:
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()
        data = archive.read("collection.anki2")
    db_path = path.with_suffix(".anki2")
    db_path.write_bytes(data)
    db = sqlite3.connect(db_path)
    try:
        notes = db.execute("SELECT guid, flds FROM notes ORDER BY guid").fetchall()
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        db.close()
    return notes, decks


def test_export_anki_twice_gives_the_same_guids_and_one_deck(journal_dir, run_cli, tmp_path):
    write(journal_dir / "notes" / "day3.md", NOTE)
    write(journal_dir / "notes" / "private.md", PRIVATE)
    first = run_cli("review", "--export-anki", str(tmp_path / "one.apkg"))
    assert first.exit_code == 0, first.output
    assert "Wrote 3 card(s)" in first.stdout and "1 card(s) of private or draft notes left out" in first.stdout
    write(journal_dir / "notes" / "day3.md", NOTE.replace("of ranked lists", "of several ranked lists"))
    assert run_cli("review", "--export-anki", str(tmp_path / "two.apkg")).exit_code == 0

    one, decks = _apkg(tmp_path / "one.apkg")
    two, _ = _apkg(tmp_path / "two.apkg")
    assert len(one) == len(two) == 3
    assert [guid for guid, _ in one] == [guid for guid, _ in two]
    ids = {c["question"]: c["id"] for c in _json(run_cli("review", "--json", "--all"))}
    assert ids.pop("Secret term")  # the private note's card is reviewed locally, not exported
    assert {guid for guid, _ in one} == {genanki.guid_for(card_id) for card_id in ids.values()}
    fields = dict(two)[genanki.guid_for(ids["What is RRF?"])].split("\x1f")
    assert fields[:2] == ["<p>What is RRF?</p>", "<p>Reciprocal rank fusion of several ranked lists</p>"]
    assert fields[2].endswith("notes/day3.md:10")
    deck_names = {deck["name"]: int(deck_id) for deck_id, deck in decks.items()}
    assert deck_names["Momentum Learning"] == deck_id_for("Momentum Learning")

    with_private = run_cli("review", "--export-anki", str(tmp_path / "all.apkg"), "--include-private")
    assert "Wrote 4 card(s)" in with_private.stdout
    assert len(_apkg(tmp_path / "all.apkg")[0]) == 4


def test_session_fed_keys_shows_question_then_answer_and_stores_ratings(journal_dir, run_cli):
    write(journal_dir / "notes" / "day3.md", NOTE)
    # Enter reveals, then a digit rates: good, again, easy; q quits on the fourth card.
    result = run_cli("review", input="\n3\n1\n4q")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Core memory") < out.index("the always-in-context blocks.") < out.index("→ good")
    assert out.index("→ good") < out.index("Archival memory") < out.index("→ again") < out.index("→ easy")
    assert "1 again 1m  2 hard 6m  3 good 10m  4 easy ~8d  q quit" in out
    assert "Reviewed 3 card(s), 3 rating(s) (again 1, good 1, easy 1); 2 left for later." in out
    states = {c["question"]: (c["state"], c["reviews"]) for c in _json(run_cli("review", "--json", "--all"))}
    assert states == {"Core memory": ("learning", 1), "Archival memory": ("learning", 1),
                      "What is RRF?": ("review", 1)}


def test_session_without_cards_says_how_to_make_them(journal_dir, run_cli):
    result = run_cli("review", input="")
    assert result.exit_code == 0
    assert "No cards yet. Write `**term**: definition` or `Question::Answer` lines" in result.stdout
