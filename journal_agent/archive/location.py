"""Where the archive lives: a local folder (the default) or an object store shared by several journals.

``[archive] uri`` in ``journal.toml`` (environment ``JOURNAL_ARCHIVE_URI``)
chooses it:

* unset: ``.journal/archive.lance`` in the journal; a relative path is taken
  from the journal root, ``~`` is expanded, ``file://`` is accepted;
* ``s3://bucket/prefix``, ``gs://bucket/prefix``, ``az://container/prefix``
  (and ``s3+ddb://`` for a DynamoDB commit store): LanceDB's own object-store
  support (``lancedb.connect(uri, storage_options=...)``). Credentials,
  endpoint and region come from the standard variables the object-store
  client reads itself (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
  ``AWS_SESSION_TOKEN``, ``AWS_ENDPOINT_URL``, ``AWS_REGION``; ``AWS_ALLOW_HTTP=true``
  for an ``http://`` endpoint; ``GOOGLE_*``/``AZURE_*`` likewise) or from
  ``[archive.storage_options]`` (lancedb "Configuring storage":
  https://lancedb.github.io/lancedb/guides/storage/). journal-agent never
  writes either to disk and never prints them.

Two journals (two machines, or a study group) pointing at one URI share one
archive: the table records its schema version and embedding model in its own
schema metadata, and what ``archive.json`` holds for a local folder (the
folders ingested) lives beside the table, in a small ``archive_meta`` table
of the same database, so nothing about the shared archive is kept on one
machine. Recall memory and core memory stay in the journal's ``.journal/``.

Concurrent writers. Every write is one Lance commit: a new manifest
``_versions/<n>.manifest`` created only if it does not exist yet (a create-if-absent
on a local folder; on S3, GCS and Azure a conditional PUT, ``If-None-Match: *``,
which Lance uses for S3 since its ``ConditionalPutCommitHandler``, lance PR
#3483, 2025; AWS S3 has supported conditional writes since August 2024). Two
writers can never both commit version ``n``: the loser gets a commit conflict;
Lance rebases compatible operations itself (appends; a ``merge_insert`` retries
for 30 s), and the rest (two journals creating the table or its full-text index
at once, a compaction preempted by a delete: "Retryable commit conflict ...
Please retry.") are run again on the latest version
(:func:`journal_agent.archive.remote.retry_conflicts`). Measured with two
ingest processes against moto's S3 server (``tests/test_archive_s3.py``): without
the retries 3 runs in 5 failed on such a conflict; with them none did.
An S3-compatible store without conditional PUT (older MinIO, some gateways)
needs the DynamoDB commit store: ``s3+ddb://bucket/prefix?ddbTableName=...``
(lancedb storage guide, "DynamoDB commit store for concurrent writes").
One ingest per journal at a time is still enforced by the file lock in
``.journal/``. LanceDB Cloud (``db://``) is the next step and not supported yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from journal_agent.workspace import REMOTE_SCHEMES, Journal, uri_scheme

META_TABLE = "archive_meta"  # {key, value (JSON)} rows: archive.json of an archive in an object store


@dataclass(frozen=True)
class ArchiveLocation:
    """An archive's place: a local folder (``path``) or an object-store URI.

    Attributes:
        uri: what ``lancedb.connect`` is given: the folder's path, or ``s3://...``.
        storage_options: LanceDB object-store options from ``journal.toml``
            (credentials normally come from the environment instead).
    """

    uri: str
    storage_options: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_local(self) -> bool:
        return uri_scheme(self.uri) not in REMOTE_SCHEMES

    @property
    def path(self) -> Path:
        """The local folder. Raises ValueError for an object-store location."""
        if not self.is_local:
            raise ValueError(f"{self.uri} is not a local folder")
        return Path(self.uri)

    def sibling(self, suffix: str) -> ArchiveLocation:
        """The location beside this one named with ``suffix`` added (``.rebuild`` for a full rebuild)."""
        parts = urlsplit(self.uri)
        if self.is_local:
            return ArchiveLocation(str(self.path.with_name(self.path.name + suffix)), self.storage_options)
        return ArchiveLocation(parts._replace(path=parts.path.rstrip("/") + suffix).geturl(), self.storage_options)

    def __str__(self) -> str:
        return self.uri


def archive_location(journal: Journal) -> ArchiveLocation:
    """The archive location of ``journal``: :attr:`~journal_agent.workspace.Journal.archive_uri` (from
    ``[archive] uri``, after ``JOURNAL_ARCHIVE_URI``) with ``[archive] storage_options``.

    Raises:
        ConfigError: ``db://`` (LanceDB Cloud, not supported yet) or a scheme
            LanceDB cannot store tables in.
    """
    return ArchiveLocation(journal.archive_uri, dict(journal.config.archive.storage_options))


def as_location(where: ArchiveLocation | Path | str, storage_options: dict[str, str] | None = None) -> ArchiveLocation:
    """``where`` as an :class:`ArchiveLocation` (a ``Path`` or string is a folder or URI)."""
    return where if isinstance(where, ArchiveLocation) else ArchiveLocation(str(where), dict(storage_options or {}))
