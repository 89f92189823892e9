"""Issue 20, review: `--rate ID 3` as the session's keys, and only cards with a real question and answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.journals import SEED, SEED_NAME, write

LEARNER = Path(__file__).resolve().parents[1] / "benchmarks" / "learner_journal"

NOTE = """---
title: Momentum Learning Day 3
date: 2025-09-19
---
# Day 3 | Momentum Learning Series

- **Core memory**: the always-in-context blocks.

What is RRF?::Reciprocal rank fusion of ranked lists

## Reflection

A good day.

## Next Step

Read chapter 4.

## 2. **Spirituality and Islam**

Patience.

## Why do agents need a step cap?

So a loop of tool calls always ends.
"""


def cards(run_cli):
    return json.loads(run_cli("review", "--json", "--all").stdout)


@pytest.mark.parametrize(("given", "name"), [("3", "good"), ("1", "again"), ("Easy", "easy"), ("hard", "hard")])
def test_rate_takes_the_session_keys_and_the_names(journal_dir, run_cli, given, name):
    write(journal_dir / "notes" / "day3.md", NOTE)
    card = cards(run_cli)[0]["id"]
    result = run_cli("review", "--rate", card[:8], given)
    assert result.exit_code == 0, result.output
    assert f"Rated {card} {name}:" in result.stdout


def test_only_real_questions_become_cards(journal_dir, run_cli):
    write(journal_dir / "notes" / "day3.md", NOTE)
    assert [(c["kind"], c["question"]) for c in cards(run_cli)] == [
        ("term", "Core memory"), ("qa", "What is RRF?"), ("heading", "Why do agents need a step cap?")]


def test_the_learners_real_notes_give_no_label_cards(journal_dir, run_cli):
    shutil.copy(SEED, journal_dir / "notes" / SEED_NAME)
    for source in LEARNER.glob("*.markdown"):
        shutil.copy(source, journal_dir / "notes" / source.name)
    questions = [c["question"] for c in cards(run_cli)]
    assert not [q for q in questions if q in {"What went well", "What was hard", "Plan for next week",
                                              "What I did", "Book part"}], questions
