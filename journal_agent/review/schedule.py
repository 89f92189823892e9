"""FSRS scheduling of review cards, through the ``fsrs`` package (py-fsrs 6).

FSRS (Free Spaced Repetition Scheduler, Jarrett Ye et al.; https://github.com/open-spaced-repetition/py-fsrs)
models each card's memory with a stability (days until recall probability falls to
the desired retention) and a difficulty, updated after every rating. We use the
package's default parameters: desired retention 0.9, learning steps 1 and 10 minutes,
a relearning step of 10 minutes, maximum interval 36,500 days, and fuzz on intervals of
3 days or more (a random ±few percent, so cards learned together spread out).

A card's FSRS state is stored as the JSON of :meth:`fsrs.Card.to_dict`; this module turns
it into the next state for a rating. Every time is a timezone-aware UTC ``datetime``
(py-fsrs refuses any other), whole seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal, get_args

from fsrs import Card, Rating, Scheduler

RatingName = Literal["again", "hard", "good", "easy"]
RATINGS: tuple[RatingName, ...] = get_args(RatingName)
CardState = Literal["new", "learning", "review", "relearning"]


def utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC, whole seconds; a naive ``datetime`` is taken as local time."""
    return when.astimezone(dt.UTC).replace(microsecond=0)


def fsrs_number(card_id: str) -> int:
    """The integer id py-fsrs keeps for a card: the first 12 hex digits of our id (< 2**48)."""
    return int(card_id[:12], 16)


def new_state(card_id: str, now: dt.datetime) -> str:
    """FSRS state JSON of a card never reviewed, due at ``now``."""
    return json.dumps(Card(card_id=fsrs_number(card_id), due=utc(now)).to_dict())


def review(state: str, rating: RatingName, now: dt.datetime, scheduler: Scheduler | None = None,
           duration_ms: int | None = None) -> tuple[str, dt.datetime]:
    """Apply one rating at ``now`` → ``(new state JSON, next due in UTC)``.

    Raises:
        ValueError: ``rating`` is not one of :data:`RATINGS`.
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    card, _log = (scheduler or Scheduler()).review_card(Card.from_dict(json.loads(state)), Rating[rating.capitalize()],
                                                        review_datetime=utc(now), review_duration=duration_ms)
    card.due = utc(card.due)
    return json.dumps(card.to_dict()), card.due


def preview(state: str, now: dt.datetime, scheduler: Scheduler | None = None) -> dict[RatingName, dt.datetime]:
    """When the card would next be due for each rating at ``now``, before fuzz.

    The rating itself adds fuzz to an interval of 3 days or more, so a long interval
    shown here is the centre of the one that will be drawn.
    """
    plain = Scheduler.from_dict({**(scheduler or Scheduler()).to_dict(), "enable_fuzzing": False})
    return {rating: review(state, rating, now, plain)[1] for rating in RATINGS}


def state_name(state: str) -> CardState:
    """``new`` (never reviewed), ``learning``, ``review`` or ``relearning``."""
    data = json.loads(state)
    if not data.get("last_review"):
        return "new"
    return {1: "learning", 2: "review", 3: "relearning"}[int(data["state"])]  # type: ignore[return-value]


def describe_interval(seconds: float) -> str:
    """A short human interval: ``<1m``, ``10m``, ``5h``, ``3d``, ``4mo``, ``2.1y``."""
    if seconds < 60:
        return "<1m"
    for unit, size, below in (("m", 60, 3600), ("h", 3600, 86400), ("d", 86400, 31 * 86400),
                              ("mo", 30.4 * 86400, 365 * 86400)):
        if seconds < below:
            return f"{round(seconds / size)}{unit}"
    return f"{seconds / 86400 / 365:.1f}y"
