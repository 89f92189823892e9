"""Review cards a model proposes for notes that have none (``journal review --generate``).

Offline extraction (:mod:`~journal_agent.review.cards`) keeps only cards the learner wrote
as question and answer, so most prose notes give none (issue 20). With a model configured,
each such note is sent once, with the request ``agent/prompts/cards.md``, and the model
replies with a JSON list of ``{question, answer, quote}``. A proposed card is kept for the
learner to judge only when it is *grounded*: its quote is a passage of the note
(:func:`~journal_agent.review.cards.find_quote`: whitespace normalised, case and everything
else as written) of at least :data:`MIN_QUOTE_WORDS` words. The others are rejected and
counted. The learner then keeps or drops each card; kept cards go to the review store
(:meth:`~journal_agent.review.store.ReviewStore.keep_generated`) with kind ``generated``.

Grounding each generated card in a word-for-word quote of its source, and dropping a
claim no quote supports, is the check Anthropic's guide "Reduce hallucinations" recommends
(docs.anthropic.com, "Verify with citations"); here the check is done by us, not the model.

Private and draft notes are never sent unless ``[llm] share_private = true`` (as for the
agent's tools, reflection and digests). The call goes through
:func:`journal_agent.agent.llm.complete` (its retries, error lines without the API key,
``<think>`` blocks split off); its errors become one-line :class:`~journal_agent.errors.ReviewError`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from journal_agent.errors import JournalError, ReviewError
from journal_agent.review.cards import CardDraft, QuotedDraft, card_id, find_quote
from journal_agent.review.store import ReviewStore, SyncReport

if TYPE_CHECKING:
    from journal_agent.notes.model import Note
    from journal_agent.workspace import Journal

MAX_CARDS = 5  # per note: a handful a learner can judge at a glance
MIN_QUOTE_WORDS = 3  # a quote of one or two words grounds nothing
MAX_NOTE_CHARS = 12_000  # of the note's body sent (about 3,000 tokens); the rest is cut
MAX_REPLY_TOKENS = 1_500
NO_QUOTE = "its quote is not in the note"
MALFORMED = "it is not an object of text fields question, answer and quote"
SHORT_QUOTE = f"its quote has fewer than {MIN_QUOTE_WORDS} words"
KEEP_HINT = "add --yes to keep every grounded card, or run it on a terminal to choose"


class ProposedCard(BaseModel):
    """One card of the model's reply, as the prompt asks for it (all text)."""

    question: str
    answer: str
    quote: str


@dataclass
class Proposal:
    """What the model proposed for one note.

    Attributes:
        note: the note sent.
        cards: the grounded cards, in the model's order, without duplicate questions.
        rejected: ``(question, reason)`` of each card thrown away (not grounded, empty).
        error: why the reply could not be read (not JSON, not a list of cards), else ``None``.
    """

    note: Note
    cards: list[QuotedDraft] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


@dataclass
class Plan:
    """The notes :func:`plan` picked, and those it did not send.

    Attributes:
        sync: the review sync done first (so "has no card" is current).
        notes: the notes to send, oldest first.
        withheld: private or draft notes left out (``[llm] share_private`` is false).
        more: notes without cards beyond ``limit``.
    """

    sync: SyncReport
    notes: list[Note]
    withheld: list[str] = field(default_factory=list)
    more: int = 0


def plan(journal: Journal, now: dt.datetime, ref: str | None = None, limit: int | None = None) -> Plan:
    """Sync the review store, then pick the notes to propose cards for.

    Args:
        ref: one note (a day number, date or path, as :func:`~journal_agent.notes.journal.find_note`
            reads it); sent even if it has cards. ``None``: every note without an active card,
            digests left out (they repeat other notes).
        limit: at most this many notes (``None``: all).

    Raises:
        NoteNotFound: ``ref`` names no note. ReviewError: ``ref`` is private or a draft and
        ``[llm] share_private`` is false. LockBusy: another review command is writing.
    """
    from journal_agent.notes.journal import find_note, read_journal

    share = journal.config.llm.share_private
    with ReviewStore.open(journal) as store:
        sync = store.sync(now)
        carded = store.active_paths()
    if ref is not None:
        note = find_note(journal, ref).note
        if not note.publishable and not share:
            raise ReviewError(f"{note.rel_path} is private or a draft, and private notes are not sent to the model",
                              hint="set [llm] share_private = true in journal.toml to send them")
        return Plan(sync, [note])
    wanted = [n for n in read_journal(journal).notes if not n.is_digest and n.rel_path not in carded]
    withheld = [] if share else [n.rel_path for n in wanted if not n.publishable]
    wanted = [n for n in wanted if n.rel_path not in withheld]
    chosen = wanted[:limit] if limit is not None else wanted
    return Plan(sync, chosen, withheld, len(wanted) - len(chosen))


def propose(note: Note, *, client: Any, model: str, max_cards: int = MAX_CARDS) -> Proposal:
    """One model call for ``note``: its proposed cards, each checked against the note's body.

    Args:
        client: an ``openai.OpenAI`` (:func:`journal_agent.openai_client.make_client`).
        model: the chat model (``[llm] model``, ``--model``).

    Returns:
        The :class:`Proposal`. A reply that is not a JSON list of cards sets ``error`` (nothing kept).

    Raises:
        ReviewError: the call failed (server error, timeout, refused request), as one line.
    """
    from journal_agent.agent.llm import complete
    from journal_agent.agent.prompts import load

    body = note.body if len(note.body) <= MAX_NOTE_CHARS else note.body[:MAX_NOTE_CHARS]
    messages = [
        {"role": "system", "content": load("cards").replace("{max_cards}", str(max_cards))},
        {"role": "user", "content": f"Note: {note.title} ({note.date.isoformat()})\n\n{body}"},
    ]
    try:
        reply = complete(client, model=model, messages=messages, max_tokens=MAX_REPLY_TOKENS)
    except JournalError as exc:
        raise ReviewError(f"the model could not propose cards for {note.rel_path}: {exc}",
                          hint="nothing was kept from this note; run `journal review --generate` again") from exc
    return ground(note, reply.content, max_cards=max_cards)


def ground(note: Note, reply: str, max_cards: int = MAX_CARDS) -> Proposal:
    """Read a model's reply (a JSON list of ``{question, answer, quote}``, maybe in a code fence) and
    keep the cards grounded in ``note.body`` (module doc); at most ``max_cards`` are kept."""
    proposal = Proposal(note)
    try:
        values = _json_list(reply)
        if not isinstance(values, list):
            raise ValueError(f"a JSON {type(values).__name__}, not a list")
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        proposal.error = "the model's reply is not a JSON list of {question, answer, quote}: " + \
            (str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__)
        return proposal
    items = []
    for value in values:  # one malformed card is rejected, not the whole reply
        try:
            items.append(ProposedCard.model_validate(value))
        except ValidationError:
            question = value.get("question") if isinstance(value, dict) else None
            proposal.rejected.append((str(question or "(a malformed card)"), MALFORMED))
    try:
        text = note.path.read_text(encoding="utf-8-sig")  # for line numbers in the file
    except (OSError, UnicodeDecodeError):
        text = note.body
    seen: set[str] = set()
    for item in items:
        question, answer, quote = item.question.strip(), item.answer.strip(), item.quote.strip()
        if not question or not answer:
            proposal.rejected.append((question or "(no question)", "it has no question or no answer"))
            continue
        if len(quote.split()) < MIN_QUOTE_WORDS:
            proposal.rejected.append((question, SHORT_QUOTE))
            continue
        if find_quote(note.body, quote) is None:
            proposal.rejected.append((question, NO_QUOTE))
            continue
        ident = card_id(note.rel_path, "generated", question)
        if ident in seen or len(proposal.cards) >= max_cards:
            continue
        seen.add(ident)
        line = find_quote(text, quote) or 1
        draft = CardDraft(ident, note.rel_path, "generated", question, answer, line)
        proposal.cards.append(QuotedDraft(draft, quote))
    return proposal


def keep(journal: Journal, proposal: Proposal, kept: list[QuotedDraft], model: str, now: dt.datetime) -> int:
    """Store the cards of ``proposal`` the learner kept (:meth:`ReviewStore.keep_generated`) → how many were added.

    Raises:
        LockBusy: another review command is writing.
    """
    if not kept:
        return 0
    note = proposal.note
    with ReviewStore.open(journal) as store:
        return store.keep_generated(note.rel_path, note.title, not note.publishable, kept, model, now)


def _json_list(reply: str) -> Any:
    """The JSON value of a reply: the whole text, or the first fenced block, or the outermost ``[...]``;
    ``{"cards": [...]}`` (a model asked for JSON objects only) is read as its list."""
    text = reply.strip()
    fenced = re.search(r"```(?:json)?\s*\n(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("["), text.rfind("]")
        if start < 0 or end <= start:
            raise
        value = json.loads(text[start:end + 1])
    if isinstance(value, dict) and isinstance(value.get("cards"), list):
        return value["cards"]
    return value
