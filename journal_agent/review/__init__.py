"""Spaced-repetition review of what the notes say: cards from notes, FSRS scheduling, Anki export.

Modules: :mod:`~journal_agent.review.cards` (cards from a note's Markdown),
:mod:`~journal_agent.review.schedule` (FSRS), :mod:`~journal_agent.review.store`
(card state in ``.journal/review.sqlite``, synced from the notes),
:mod:`~journal_agent.review.queue` (what ``journal review`` does),
:mod:`~journal_agent.review.anki` (``.apkg`` export with genanki).
"""
