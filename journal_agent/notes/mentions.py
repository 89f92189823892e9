"""Where a topic's words sit in an entry: named together in what the learner did, or only meant.

"When did I first work on the Tic Tac Toe game?" asks for the earliest entry **about** the game, not the
earliest that names it in passing or as a plan ("I'm going to tackle Django next"). This module reads an
entry's text (its chunks' ``heading`` and ``search_text``) and says where each of the topic's terms is named
(:func:`mentions_in`), and how much of the topic is named together (:func:`coverage`, weighted by
:func:`idf_weights`). Plain text functions: the archive query around them is
:func:`journal_agent.archive.search.search_notes`'s.
"""

from __future__ import annotations

import math
import re

# Where the topic's words sit (issue 18, journal shapes): an entry is about the topic when its words come
# together (within MENTION_WINDOW tokens) outside what the learner only meant to do ("I'm going to tackle Django
# next", a "What I'm planning to do next" section, a list of ideas) and outside code. Words match
# whatever way they are joined ("TicTacToe", "tic-tac-toe" and "Tic Tac Toe" are one), singular or plural.
# On the journal shapes' first/relative questions MENTION_WINDOW 8 to 30 score the same (50: one relative less).
MENTION_WINDOW = 20
_MARKUP = re.compile(r"https?://\S+|<[^>]*>|\]\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_INTENT = re.compile(r"\b(?:going to|gonna|want to|wanna|will|shall|maybe|may be|might|need to|hope to|hoping to|"
                     r"would like|plan to|planning|tomorrow|eventually|someday|later|\w+'ll)\b", re.IGNORECASE)
_INTENT_HEADING = re.compile(r"\b(?:plan(?:s|ned|ning)?|next(?!\.\w)|todo|to do|ideas?|goals?|future)\b",
                             re.IGNORECASE)  # not "Next.js"


def term(word: str) -> str:
    """A word as compared: lower case, without a possessive or apostrophe, singular ("books" -> "book")."""
    word = word.lower()
    word = word[:-2] if word.endswith("'s") else word.replace("'", "")
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def topic_terms(topic: str) -> list[str]:
    return list(dict.fromkeys(term(word) for word in _WORD.findall(topic.lower())))


def joined_forms(terms: list[str]) -> dict[str, frozenset[int]]:
    """Each term and each run of up to three consecutive terms written together, with the terms it stands for."""
    forms: dict[str, frozenset[int]] = {}
    for i in range(len(terms)):
        for j in range(i, min(len(terms), i + 3)):
            forms.setdefault("".join(terms[i:j + 1]), frozenset(range(i, j + 1)))
    return forms


def mentions_in(chunks: list[dict], forms: dict[str, frozenset[int]]) -> list[tuple[int, frozenset[int]]]:
    """Where the entry made of ``chunks`` (rows with ``heading`` and ``search_text``, in order) names the topic:
    ``(token position, indexes of the topic's terms named there)`` for each of its words, or words written
    together (``forms``, :func:`joined_forms`), in what the learner did: not in sentences of intent ("I'm going
    to tackle Django next"), a section headed as a plan, a list introduced as plans or ideas, or fenced code."""
    found: list[tuple[int, frozenset[int]]] = []
    position = 0
    for chunk in chunks:
        if _INTENT_HEADING.search(chunk.get("heading") or ""):
            continue
        intent_list = False
        for block, item in _blocks(_MARKUP.sub(" ", chunk.get("search_text") or "")):
            intent_list = intent_list and item
            for sentence in _SENTENCE_END.split(block):
                tokens = [term(word) for word in _WORD.findall(sentence.lower())]
                intended = intent_list or bool(_INTENT.search(sentence))
                if not intended:
                    found += [(position + at, forms[piece]) for at in range(len(tokens)) for width in (1, 2, 3)
                              if at + width <= len(tokens) and (piece := "".join(tokens[at:at + width])) in forms]
                position += len(tokens)
                if sentence.rstrip().endswith(":") and (intended or _INTENT_HEADING.search(sentence)):
                    intent_list = True  # "my goals for the next 10 days are:" and the list after it
    return found


def _blocks(text: str) -> list[tuple[str, bool]]:
    """The prose of a chunk's text as ``(paragraph or list item, is a list item)``: hard-wrapped lines joined,
    fenced code and sections headed as a plan ("#### What I'm planning to do next") left out."""
    blocks: list[tuple[str, bool]] = []
    fenced = planned = False
    current: list[str] = []
    current_item = False

    def close() -> None:
        if current:
            blocks.append((" ".join(current), current_item))
            current.clear()

    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            close()
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("#"):
            close()
            planned = bool(_INTENT_HEADING.search(line))
        if planned:
            continue
        if not line.strip():
            close()
        elif _LIST_ITEM.match(line) or line.startswith("#"):
            close()
            current_item = bool(_LIST_ITEM.match(line))
            current.append(line)
            if line.startswith("#"):
                close()
        else:
            if not current:
                current_item = False
            current.append(line)
    close()
    return blocks


def coverage(found: list[tuple[int, frozenset[int]]], weights: list[float]) -> float:
    """The largest weighted share of the topic's terms named within :data:`MENTION_WINDOW` tokens of each other."""
    best = 0.0
    for start, _ in found:
        together: set[int] = set()
        for at, covered in found:
            if start <= at < start + MENTION_WINDOW:
                together |= covered
        best = max(best, sum(weights[i] for i in together))
    return best / sum(weights) if sum(weights) > 0 else 0.0


def idf_weights(found: list[list[tuple[int, frozenset[int]]]], terms: int) -> list[float]:
    """One weight per topic term over ``found`` (each candidate entry's :func:`mentions_in`): a term named in
    ``n`` of the ``N`` entries weighs ``log(1 + (N - n + 0.5) / (n + 0.5))`` (BM25's inverse document
    frequency, Robertson & Spärck Jones): "project" in a log where every day has a Project Euler problem weighs
    little beside "tic tac toe"."""
    named = [sum(any(i in covered for _, covered in hits) for hits in found) for i in range(terms)]
    return [math.log(1 + (len(found) - n + 0.5) / (n + 0.5)) for n in named]
