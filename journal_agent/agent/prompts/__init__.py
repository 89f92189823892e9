"""The agent's prompts, one Markdown file each, read with :mod:`importlib.resources`.

* ``system.md``: the journal agent's instructions (MemGPT design; note text is data).
* ``coach.md``: the coach agent's instructions (plans study; keeps the study queue; messages the journal agent).
* ``sleeptime.md``: the sleep-time agent's instructions (reflects on new notes in the background).
* ``summary.md``: the recursive summarizer's instructions.
* ``memory_pressure.md``: the memory-pressure alert (``{percent}``, ``{tokens}``, ``{budget}``).
* ``reflection.md``: the request that closes a new-notes system event.
* ``cards.md``: the request for review cards from one note (``{max_cards}``; ``journal review --generate``).

The files ship with the package (``pyproject.toml`` package-data ``agent/prompts/*.md``).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load(name: str) -> str:
    """The text of ``prompts/<name>.md`` without its trailing newline.

    Raises:
        FileNotFoundError: no such prompt.
    """
    return (files(__name__) / f"{name}.md").read_text(encoding="utf-8").rstrip("\n")
