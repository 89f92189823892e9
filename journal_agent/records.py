"""Records that cross a file or the wire, as pydantic dataclasses: one way to turn them into JSON types.

Stats, note summaries and digests are pydantic dataclasses (validated on construction,
positional like the plain dataclasses they replaced); :class:`JsonRecord` gives each a
``to_json()`` from pydantic's serializer instead of a hand-written dict, with field
aliases for JSON keys that are Python keywords (``from``).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

_ADAPTERS: dict[type, TypeAdapter[Any]] = {}  # one per record type: building one costs ~1 ms


class JsonRecord:
    """Mixin for pydantic dataclasses: :meth:`to_json` dumps the record in JSON mode, aliases applied."""

    def to_json(self) -> Any:
        """The record as JSON types: dates as ISO text, nested records as objects, excluded fields left out."""
        kind = type(self)
        adapter = _ADAPTERS.get(kind) or _ADAPTERS.setdefault(kind, TypeAdapter(kind))
        return adapter.dump_python(self, mode="json", by_alias=True)
