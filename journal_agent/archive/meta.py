"""The archive's metadata: ``archive.json`` (or, in an object store, its rows) and the table's own record.

How an archive was built (schema version, embedding model, vector dimension)
is recorded in the table's schema metadata and in ``archive.json``, which also
lists the folders ingested (:mod:`journal_agent.archive.schema`). A local
archive keeps ``archive.json`` beside the table; an archive in an object store
keeps the same entries in its ``archive_meta`` table (:mod:`.remote`), so every
journal sharing the archive reads and writes the same ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journal_agent.archive import remote, repair, schema
from journal_agent.errors import StoreError


class ArchiveMeta:
    """Metadata methods of :class:`~journal_agent.archive.store.Archive` (which provides ``location``,
    ``directory``, ``embedding_name``, ``damage``, ``_table`` and ``_connect``)."""

    location: Any
    directory: Path
    embedding_name: str
    damage: StoreError | None
    _table: Any

    def _connect(self) -> Any:  # pragma: no cover - provided by Archive
        raise NotImplementedError

    @property
    def meta_path(self) -> Path:
        return self.directory / repair.META_FILE

    def read_meta(self) -> dict:
        """``archive.json`` as a dict (``{}`` when absent); in an object store, the rows of its metadata table.

        Raises StoreError when it cannot be read or parsed."""
        if not self.location.is_local:
            with repair.storage_errors(self.directory, writing=False):
                return remote.read_meta(self._connect())
        return schema.read_json(self.meta_path)

    def write_meta(self, **changes: Any) -> None:
        """Update ``archive.json`` with ``changes``, atomically. Raises StoreError when it cannot be written."""
        if not self.location.is_local:
            with repair.storage_errors(self.directory, writing=True):
                remote.write_meta(self._connect(), changes)
            return
        meta = {**self.read_meta(), **changes}
        with repair.storage_errors(self.directory, writing=True):
            self.directory.mkdir(parents=True, exist_ok=True)
            schema.write_json(self.meta_path, meta)

    @property
    def dimension(self) -> int | None:
        """The vector width of the table (``None`` before the first write)."""
        return self.table_meta().get("dimension")

    def table_meta(self) -> dict:
        """The record in the table's schema metadata (``{}`` for a table written before schema version 2)."""
        return schema.schema_record(self._table.schema) if self._table is not None else {}

    def check_compatible(self) -> None:
        """Raise StoreError when the schema or embedding model recorded differ from ours.

        Both records are checked (:func:`~journal_agent.archive.schema.check_records`);
        a missing ``archive.json`` is first written again from the table's own
        record (not on a read-only journal).
        """
        if self.damage:
            raise self.damage
        if self._table is None:
            return
        meta, recorded = self.read_meta(), self.table_meta()
        if not meta and recorded:
            try:
                self.write_meta(**recorded)
            except StoreError:
                pass  # read-only: the table's record is checked alone
        schema.check_records(meta, recorded, self.embedding_name, self.directory)
