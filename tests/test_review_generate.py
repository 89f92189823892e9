"""Issue 20, `journal review --generate`: cards a model proposes for notes with none, each grounded in a quote.

Every test runs the CLI against the local OpenAI-compatible server (tests/support/openai_server.py)
through the real ``openai`` client, with scripted replies.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

from journal_agent.review.cards import find_quote
from tests.support.journals import set_config, write
from tests.support.openai_server import error, text

PROSE = """---
title: Momentum Learning Day 5
date: 2025-09-21
---
# Day 5 | Momentum Learning Series

Today I read about retrieval. Reciprocal rank fusion merges
ranked lists by summing one over the rank plus sixty.

It felt good to finally get it.
"""

SECRET = """---
title: Private thoughts
date: 2025-09-22
private: true
---
My salary negotiation went well and the number was high.
"""

GROUNDED = {"question": "How does reciprocal rank fusion merge ranked lists?",
            "answer": "By summing one over the rank plus sixty.",
            "quote": "Reciprocal rank fusion merges ranked lists by summing one over the rank plus sixty."}
UNGROUNDED = {"question": "Who invented RRF?", "answer": "Cormack, Clarke and Buettcher in 2009.",
              "quote": "RRF was introduced by Cormack, Clarke and Buettcher in 2009."}


def _cards(run_cli) -> list[dict]:
    result = run_cli("review", "--json", "--all")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _sent(server) -> str:
    return "\n".join(m["content"] for r in server.requests for m in r["messages"])


def test_yes_keeps_the_grounded_card_and_rejects_the_ungrounded_one(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    assert _cards(run_cli) == []  # offline extraction finds no card in prose
    server.push(text(json.dumps([GROUNDED, UNGROUNDED])))
    result = run_cli("review", "--generate", "--yes")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1
    assert "Reciprocal rank fusion merges" in _sent(server)  # the note went to the model
    assert "rejected Who invented RRF?: its quote is not in the note" in result.stderr
    assert "1 card(s) proposed, 1 rejected (not grounded in the note); 1 kept" in result.stdout
    cards = _cards(run_cli)
    assert [(c["question"], c["answer"], c["kind"], c["path"], c["line"]) for c in cards] == [
        (GROUNDED["question"], GROUNDED["answer"], "generated", "notes/day5.md", 7)]
    assert cards[0]["state"] == "new"


def test_kept_card_goes_to_anki_with_its_kind_as_a_tag(journal_dir, run_cli, server, tmp_path):
    write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(text(json.dumps([GROUNDED])))
    assert run_cli("review", "--generate", "--yes").exit_code == 0
    exported = run_cli("review", "--export-anki", str(tmp_path / "deck.apkg"))
    assert exported.exit_code == 0 and "Wrote 1 card(s)" in exported.stdout
    with zipfile.ZipFile(tmp_path / "deck.apkg") as archive:
        (tmp_path / "deck.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "deck.anki2")
    try:
        rows = db.execute("SELECT flds, tags FROM notes").fetchall()
    finally:
        db.close()
    assert len(rows) == 1 and "reciprocal rank fusion" in rows[0][0] and "generated" in rows[0][1].split()


def test_limit_sends_at_most_n_notes_and_says_nothing_of_those_with_cards(journal_dir, run_cli, server):
    for day in (5, 6, 7):
        write(journal_dir / "notes" / f"day{day}.md",
              PROSE.replace("Day 5", f"Day {day}").replace("2025-09-21", f"2025-09-2{day - 4}"))
    server.push(text("[]"), text("[]"))
    result = run_cli("review", "--generate", "--yes", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 2 and "1 more note(s) without cards" in result.stderr


def test_a_quote_that_differs_in_case_is_not_grounded(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(text(json.dumps([GROUNDED | {"quote": GROUNDED["quote"].lower()}])))
    result = run_cli("review", "--generate", "--yes")
    assert result.exit_code == 0, result.output
    assert "0 card(s) proposed, 1 rejected" in result.stdout
    assert _cards(run_cli) == []


def test_kept_cards_survive_sync_are_rated_and_retire_when_their_quote_goes(journal_dir, run_cli, server):
    note = write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(text("```json\n" + json.dumps([GROUNDED]) + "\n```"))
    assert run_cli("review", "--generate", "--yes").exit_code == 0
    card = _cards(run_cli)[0]
    rated = run_cli("review", "--rate", card["id"], "3")
    assert rated.exit_code == 0, rated.output
    # An edit elsewhere in the note makes the next sync re-read it: the card stays, schedule and all.
    note.write_text(PROSE.replace("It felt good", "Some lines later.\n\nIt felt good"), encoding="utf-8")
    after = _cards(run_cli)
    assert [(c["id"], c["reviews"], c["state"]) for c in after] == [(card["id"], 1, "learning")]
    # The quoted sentence leaves the note: the card retires like any card whose source is gone.
    note.write_text(PROSE.replace("Reciprocal rank fusion merges\nranked lists", "RRF merges lists"),
                    encoding="utf-8")
    result = run_cli("review", "--json", "--all")
    assert json.loads(result.stdout) == [] and "1 retired" in result.stderr
    assert len(server.requests) == 1  # syncs never call the model


def test_notes_that_have_cards_are_not_sent(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    write(journal_dir / "notes" / "day6.md", PROSE.replace("Day 5", "Day 6").replace("2025-09-21", "2025-09-22")
          + "\nWhat is BM25?::A keyword ranking function\n")
    server.push(text(json.dumps([GROUNDED])))
    result = run_cli("review", "--generate", "--yes")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1 and "What is BM25" not in _sent(server)
    again = run_cli("review", "--generate", "--yes")  # every note has a card now
    assert "Every note has cards already" in again.stdout and len(server.requests) == 1


def test_private_note_is_not_sent_unless_share_private(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    write(journal_dir / "notes" / "secret.md", SECRET)
    server.push(text("[]"))
    result = run_cli("review", "--generate", "--yes")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1 and "salary" not in _sent(server)
    assert "1 private or draft note(s) not sent" in result.stderr

    refused = run_cli("review", "--generate", "--note", "notes/secret.md", "--yes")
    assert refused.exit_code == 1 and "share_private" in refused.stderr
    assert len(server.requests) == 1

    set_config(journal_dir, "llm", "share_private", True)
    server.push(text(json.dumps([{"question": "How did the negotiation go?", "answer": "Well.",
                                  "quote": "My salary negotiation went well"}])))
    shared = run_cli("review", "--generate", "--note", "notes/secret.md", "--yes")
    assert shared.exit_code == 0, shared.output
    assert "salary" in _sent(server)
    exported = run_cli("review", "--export-anki", str(journal_dir / "deck.apkg"))
    assert "1 card(s) of private or draft notes left out" in exported.stdout  # still private in the export


def test_non_terminal_without_yes_lists_the_cards_and_keeps_none(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(text(json.dumps([GROUNDED])))
    result = run_cli("review", "--generate", input="k\n")
    assert result.exit_code == 0, result.output
    assert GROUNDED["question"] in result.stdout and "quote:" in result.stdout
    assert "none kept: stdin is not a terminal (add --yes to keep every grounded card" in result.stdout
    assert _cards(run_cli) == []


def test_model_error_is_one_line_and_keeps_nothing(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(error(404, "The model `nope` does not exist", code="model_not_found"))
    result = run_cli("review", "--generate", "--yes", "--model", "nope")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: the model could not propose cards for notes/day5.md: ")
    assert "does not exist" in lines[-1] and not any(line.startswith("  ") for line in lines)
    assert "Traceback" not in result.output and _cards(run_cli) == []
    assert server.requests[0]["model"] == "nope"


def test_reply_that_is_not_a_card_list_skips_the_note(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(text("Sure! Here are some cards: none."))
    result = run_cli("review", "--generate", "--yes")
    assert result.exit_code == 0, result.output
    assert "skipped notes/day5.md: the model's reply is not a JSON list" in result.stderr


def test_a_malformed_card_is_rejected_and_the_others_kept(journal_dir, run_cli, server):
    write(journal_dir / "notes" / "day5.md", PROSE)
    server.push(text(json.dumps([{"question": "What is RRF?", "answer": "A fusion."}, GROUNDED])))
    result = run_cli("review", "--generate", "--yes")
    assert result.exit_code == 0, result.output
    assert "rejected What is RRF?: it is not an object of text fields" in result.stderr
    assert [c["question"] for c in _cards(run_cli)] == [GROUNDED["question"]]


def test_generate_without_a_model_says_how_to_configure_one(journal_dir, run_cli):
    write(journal_dir / "notes" / "day5.md", PROSE)
    result = run_cli("review", "--generate")
    assert result.exit_code == 1 and "No model configured" in result.stderr


@pytest.mark.parametrize("args", [("--yes",), ("--note", "5"), ("--json", "--generate")])
def test_generate_options_go_together(run_cli, args):
    result = run_cli("review", *args)
    assert result.exit_code == 2


def test_find_quote_normalises_whitespace_only():
    body = "First line.\nReciprocal rank fusion merges\n  ranked lists.\n"
    assert find_quote(body, "Reciprocal rank fusion merges ranked lists.") == 2
    assert find_quote(body, "reciprocal rank fusion merges ranked lists.") is None
    assert find_quote(body, "   ") is None


@pytest.mark.slow
def test_on_a_terminal_each_card_is_kept_or_dropped_by_a_key(journal_dir, server):
    """A real pseudo-terminal (stdin is a tty): ``k`` keeps the first card, ``d`` drops the second."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    write(journal_dir / "notes" / "day5.md", PROSE)
    other = {"question": "How did the day feel?", "answer": "Good.", "quote": "It felt good to finally get it."}
    server.push(text(json.dumps([GROUNDED, other])))
    root = Path(__file__).resolve().parents[1]
    leader, follower = pty.openpty()
    env = os.environ | {"PYTHONPATH": str(root), "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from journal_agent.cli import main; main()", "--root", str(journal_dir),
         "review", "--generate"], stdin=follower, stdout=follower, stderr=follower, env=env, cwd=root)
    os.close(follower)
    try:
        seen = _drive(leader, [b"k", b"d"])
        assert process.wait(timeout=60) == 0, seen.decode(errors="replace")
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert b"2 card(s) proposed, 0 rejected (not grounded in the note); 1 kept" in seen
    cards = [(c.question, c.kind) for c in _store_cards(journal_dir)]
    assert cards == [(GROUNDED["question"], "generated")]


def _store_cards(root):
    from journal_agent.review.store import ReviewStore
    from journal_agent.workspace import open_journal

    with ReviewStore.open(open_journal(root=root)) as store:
        return store.cards()


def _drive(leader: int, keys: list[bytes], patience: int = 240) -> bytes:
    """Read the terminal; at each "[k]eep · [d]rop · [q]uit" prompt send the next key until its "→" shows.

    click reads a key in raw mode, entered with TCSAFLUSH, which drops a key typed before it: a key with
    no answer after half a second is typed again. Stops at the child's end, or after ``patience`` quiet polls.
    """
    import os
    import select

    seen, sent, quiet = b"", 0, 0
    while quiet < patience:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if not ready:
            quiet += 1
            if sent and seen.count("→".encode()) < sent:
                os.write(leader, keys[sent - 1])  # the key was flushed: type it again
            continue
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if sent < len(keys) and seen.count(b"uit") > sent and seen.count("→".encode()) == sent:
            os.write(leader, keys[sent])
            sent += 1
    return seen
