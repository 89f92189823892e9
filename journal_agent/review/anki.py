"""Export the review cards as an Anki package (``.apkg``) with genanki.

One deck per journal, named after its series; its id is derived from the series name,
so every export of a journal lands in the same deck. Each card becomes one Anki note of
the model :data:`MODEL_NAME` (fields Question, Answer, Source) whose GUID is
``genanki.guid_for(card id)``: re-importing a later export updates the notes already
in Anki (Anki matches notes by GUID and keeps their review history) instead of adding
duplicates (https://github.com/kerrickstaley/genanki#note-guids). Question and answer
are Markdown rendered to HTML by markdown-it-py with raw HTML escaped.

Retired cards are left out, and so are cards of private and draft notes unless asked:
an ``.apkg`` is a file that gets shared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from journal_agent.atomic import replacing
from journal_agent.notes.markdown import parser
from journal_agent.review.schedule import utc
from journal_agent.review.store import ReviewCard, ReviewStore, SyncReport

if TYPE_CHECKING:
    from journal_agent.workspace import Journal

MODEL_ID = 1_607_392_319  # fixed once (genanki: "hardcode it"); changing it makes Anki see a new note type
MODEL_NAME = "journal-agent card"
_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.source { margin-top: 1.5em; font-size: 13px; color: #777; }
pre, code { font-size: 16px; }"""


@dataclass
class ExportReport:
    """What :func:`export_anki` wrote.

    Attributes:
        path: the ``.apkg`` file.
        deck_name, deck_id: the deck.
        notes: Anki notes written (one per card).
        private_skipped: cards of private or draft notes left out.
        sync: the sync before the export.
    """

    path: Path
    deck_name: str
    deck_id: int
    notes: int
    private_skipped: int
    sync: SyncReport


def deck_id_for(series: str) -> int:
    """A deck id stable for a series name: SHA-256 → an int in [2**30, 2**31) (genanki's advice on ids)."""
    digest = hashlib.sha256(f"journal-agent deck\x1f{series}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def export_anki(journal: Journal, path: Path, now: dt.datetime, include_private: bool = False, *,
                force: bool = False) -> ExportReport:
    """Sync the cards, then write every active card to the ``.apkg`` at ``path`` (replaced atomically).

    Args:
        now: the notes' modification time in the package (Anki updates a note only from a newer one).
        include_private: also export cards of private and draft notes.
        force: replace an existing file that is not an Anki package
            (:func:`~journal_agent.outputs.check_output`; never inside ``notes/`` or ``.journal/``).

    Raises:
        OutputRefused: ``path`` is a place the package must not be written.
        ReviewError, LockBusy: as :class:`~journal_agent.review.store.ReviewStore`.
        OSError: the file cannot be written.
    """
    import genanki

    from journal_agent.outputs import check_output

    path = check_output(journal, Path(path), force=force, ours=_is_apkg, what="the Anki package")
    with ReviewStore.open(journal) as store:
        sync = store.sync(now)
        cards = store.cards()
    kept = [card for card in cards if include_private or not card.private]
    series = journal.config.journal.series
    deck = genanki.Deck(deck_id_for(series), series, description=f"Review cards from the {series} journal.")
    for card in sorted(kept, key=lambda c: (c.path, c.line)):
        deck.add_note(genanki.Note(model=_model(), fields=_fields(card), guid=genanki.guid_for(card.id),
                                   tags=["journal-agent", card.kind]))
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temporary:
        genanki.Package(deck).write_to_file(str(temporary), timestamp=utc(now).timestamp())
    return ExportReport(path, series, deck.deck_id, len(kept), len(cards) - len(kept), sync)


def _is_apkg(path: Path) -> bool:
    """Whether ``path`` is an Anki package (a zip holding ``collection.anki2``), as an earlier export wrote."""
    import zipfile

    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as package:
        return "collection.anki2" in package.namelist()


@lru_cache(maxsize=1)
def _model():
    import genanki

    card = {"name": "Card 1", "qfmt": "{{Question}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}<div class="source">{{Source}}</div>'}
    return genanki.Model(MODEL_ID, MODEL_NAME, fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Source"}],
                         templates=[card], css=_CSS)


def _fields(card: ReviewCard) -> list[str]:
    source = f"{html.escape(card.title)} · {html.escape(card.path)}:{card.line}"
    return [_html(card.question), _html(card.answer), source]


def _html(markdown: str) -> str:
    return parser(tables=True, strikethrough=True, html=False).render(markdown).strip()
