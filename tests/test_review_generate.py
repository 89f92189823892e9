"""Issue 20, `journal review --generate`: cards a model proposes for notes with none, each grounded in a quote.

Every test runs the CLI against the local OpenAI-compatible server (tests/support/openai_server.py)
through the real ``openai`` client, with scripted replies.
"""

from __future__ import annotations

import json

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
