"""What ``journal review`` does: list due cards, rate one, run a session. Each syncs cards from the notes first.

A session shows due cards oldest-due first. A card whose next due time after its rating
falls within :data:`LEARN_AHEAD` (a card rated *again*, or a new card still on its
10-minute learning step) comes back at the end of the same session, as Anki's
"learn ahead limit" does (https://docs.ankiweb.net/deck-options.html#learn-ahead-limit,
20 minutes by default there too).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fsrs import Scheduler

from journal_agent.review import schedule
from journal_agent.review.store import ReviewCard, ReviewStore, SyncReport

if TYPE_CHECKING:
    from journal_agent.workspace import Journal

LEARN_AHEAD = dt.timedelta(minutes=20)


@dataclass
class Listing:
    """Cards of :func:`list_cards` and the sync that preceded it."""

    sync: SyncReport
    cards: list[ReviewCard]
    total: int
    next_due: dt.datetime | None


def list_cards(journal: Journal, now: dt.datetime, include_all: bool = False,
               scheduler: Scheduler | None = None) -> Listing:
    """Sync, then the cards due at ``now`` (every active card with ``include_all``), due order.

    Raises:
        ReviewError: the review database cannot be read. LockBusy: another review command is writing.
    """
    with ReviewStore.open(journal, scheduler) as store:
        sync = store.sync(now)
        everything = store.cards()
        due = everything if include_all else store.cards(due_by=now)
        return Listing(sync, due, len(everything), store.next_due())


def rate_card(journal: Journal, card_id: str, rating: schedule.RatingName, now: dt.datetime,
              scheduler: Scheduler | None = None) -> tuple[SyncReport, ReviewCard]:
    """Sync, then rate one card (id or unique prefix) at ``now`` → ``(sync, card with its new due time)``.

    Raises:
        ReviewError: unknown, ambiguous or retired card; unknown rating.
    """
    with ReviewStore.open(journal, scheduler) as store:
        return store.sync(now), store.rate(card_id, rating, now)  # sync first: the card may be new


@dataclass(frozen=True)
class Prompt:
    """What a session shows for one card.

    Attributes:
        card: the card.
        position: 1-based number of this showing in the session.
        remaining: cards left in the queue, this one included.
        now: the time it is shown (UTC).
        previews: next due time for each rating.
    """

    card: ReviewCard
    position: int
    remaining: int
    now: dt.datetime
    previews: dict[schedule.RatingName, dt.datetime]


Ask = Callable[[Prompt], "schedule.RatingName | None"]
"""Shows a card, reveals its answer, and returns the learner's rating, or ``None`` to stop."""


@dataclass
class SessionReport:
    """How a session went.

    Attributes:
        sync: the sync before it.
        ratings: count per rating given.
        cards: distinct cards rated.
        stopped: the learner quit with cards left.
        left: cards still in the queue when it ended.
        total: active cards in the journal.
        next_due: the earliest due time after the session (UTC), ``None`` without cards.
    """

    sync: SyncReport
    ratings: Counter = field(default_factory=Counter)
    cards: int = 0
    stopped: bool = False
    left: int = 0
    total: int = 0
    next_due: dt.datetime | None = None

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())


def run_session(journal: Journal, ask: Ask, clock: Callable[[], dt.datetime], *, include_all: bool = False,
                limit: int | None = None, learn_ahead: dt.timedelta = LEARN_AHEAD,
                scheduler: Scheduler | None = None,
                on_sync: Callable[[SyncReport], None] | None = None) -> SessionReport:
    """Sync, then review the due cards (every card with ``include_all``) one by one through ``ask``.

    Each rating is stored as it is given, so quitting (or a kill) keeps the ones before.

    Args:
        ask: shows a :class:`Prompt` and returns a rating or ``None`` (stop).
        clock: the current time; called when a card is shown and when it is rated.
        limit: at most this many distinct cards (``None``: all due).
        learn_ahead: a card due again within this after its rating comes back in this session.
        on_sync: called with the sync's report before the first card is shown.
    """
    with ReviewStore.open(journal, scheduler) as store:
        start = clock()
        report = SessionReport(sync=store.sync(start))
        if on_sync is not None:
            on_sync(report.sync)
        cards = store.cards() if include_all else store.cards(due_by=start)
        queue = deque(cards[:limit] if limit is not None else cards)
        seen: set[str] = set()
        position = 0
        while queue:
            card = queue.popleft()
            position += 1
            now = clock()
            shown = time.monotonic()
            rating = ask(Prompt(card, position, len(queue) + 1, schedule.utc(now), store.preview(card.id, now)))
            if rating is None:
                queue.appendleft(card)
                report.stopped = True
                break
            rated = store.rate(card.id, rating, clock(), duration_ms=round((time.monotonic() - shown) * 1000))
            report.ratings[rating] += 1
            seen.add(card.id)
            if rated.due <= schedule.utc(clock()) + learn_ahead:
                queue.append(rated)
        report.cards = len(seen)
        report.left = len({card.id for card in queue})
        report.total = len(store.cards())
        report.next_due = store.next_due()
        return report
