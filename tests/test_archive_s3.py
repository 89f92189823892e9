"""The archive in an S3-compatible object store, shared by two journals.

Against a real S3 API: moto's server mode (``ThreadedMotoServer``, from PyPI
``moto[server]``) started on 127.0.0.1 by the test, with a bucket made through
boto3. LanceDB reaches it through its own object-store client configured the
documented way: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION`` and ``AWS_ALLOW_HTTP=true`` for an
``http://`` endpoint (lancedb "Configuring storage", S3-compatible stores).
moto implements the conditional PUT (``If-None-Match: *``) that Lance commits
with (moto ``s3/responses.py`` ``put_object``; AWS "conditional writes").
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from journal_agent.archive.location import ArchiveLocation, archive_location
from journal_agent.archive.retrieval import search_chunks
from journal_agent.errors import ConfigError
from tests.support.journals import make_journal_dir, set_config, write

SECRET = "journal-test-secret-key-0123456789"
NOTE = """---
title: {title}
date: 2024-0{month}-1{day}
---
# {title}

{body}
"""

pytestmark = pytest.mark.slow  # a moto S3 server in a subprocess


@pytest.fixture(scope="module")
def s3_endpoint():
    moto_server = pytest.importorskip("moto.server", reason="needs moto[server] (the test extra)")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch) -> dict[str, str]:
    """The standard AWS_* variables pointing at the local server (also for child processes)."""
    env = {"AWS_ENDPOINT_URL": s3_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    return env


@pytest.fixture
def bucket_uri(s3_env) -> str:
    import boto3

    name = f"journal-{uuid.uuid4().hex[:10]}"
    client = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key=SECRET)
    client.create_bucket(Bucket=name)
    return f"s3://{name}/shared/archive"


def keys(uri: str, endpoint: str | None = None) -> list[str]:
    import boto3

    bucket = uri.removeprefix("s3://").split("/", 1)[0]
    client = boto3.client("s3", endpoint_url=endpoint or os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def journal_at(folder, uri, base_url):
    root = make_journal_dir(folder, embedding_base_url=base_url)
    set_config(root, "archive", "uri", uri)
    return root


def notes(root, folder: str, topic: str, count: int, month: int = 3) -> list[str]:
    titles = []
    for number in range(count):
        title = f"{topic.title()} note {number}"
        body = f"What I learned about {topic} today, part {number}: {topic} keeps its promises."
        write(root / "notes" / folder / f"{topic}-{number}.md",
              NOTE.format(title=title, month=month, day=number, body=body))
        titles.append(title)
    return titles


def test_one_journal_ingests_another_searches_the_same_archive(tmp_path, bucket_uri, embedding_server, run_cli):
    alice = journal_at(tmp_path / "laptop", bucket_uri, embedding_server.base_url)
    desk = journal_at(tmp_path / "desktop", bucket_uri, embedding_server.base_url)
    notes(alice, "rust", "ownership", 3)
    notes(desk, "rust", "ownership", 3)  # the same notes, synced to a second machine
    notes(desk, "rust", "lifetimes", 1)

    started = time.perf_counter()
    result = run_cli("ingest", "--no-reflect", root=alice)
    assert result.exit_code == 0, result.output
    found = run_cli("search", "--mode", "fts", "ownership promises", root=desk)
    round_trip = time.perf_counter() - started
    assert found.exit_code == 0, found.output
    assert "Ownership note" in found.output
    print(f"S3 round trip (ingest 3 notes + search from another journal): {round_trip:.2f} s")

    # The second machine holds the same notes: nothing is embedded again, only its new note.
    again = run_cli("ingest", "--no-reflect", "--json", root=desk)
    assert again.exit_code == 0, again.output
    assert '"unchanged": 3' in again.output and '"added": 1' in again.output

    stored = keys(bucket_uri)
    assert any(k.startswith("shared/archive/chunks.lance/_versions/") for k in stored)
    assert any(k.startswith("shared/archive/archive_meta.lance/") for k in stored)  # archive.json's entries
    for root in (alice, desk):  # nothing of the archive, and no credential, on either machine
        assert not (root / ".journal" / "archive.lance").exists()
        for path in root.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path


def test_the_record_of_the_embedding_model_is_shared(tmp_path, bucket_uri, embedding_server, run_cli):
    first = journal_at(tmp_path / "a", bucket_uri, embedding_server.base_url)
    notes(first, "", "sqlite", 1)
    assert run_cli("ingest", "--no-reflect", root=first).exit_code == 0
    other = journal_at(tmp_path / "b", bucket_uri, embedding_server.base_url)
    set_config(other, "embedding", "model", "another-model")
    result = run_cli("search", "sqlite", root=other)
    assert result.exit_code != 0
    assert "re-index needed" in result.output and "another-model" in result.output


def test_two_journals_ingesting_at_once_keep_both_sets_of_notes(tmp_path, bucket_uri, embedding_server, s3_env):
    # Two processes start on an empty bucket: they race to create the table, then to commit.
    roots = [journal_at(tmp_path / name, bucket_uri, embedding_server.base_url) for name in ("alice", "bob")]
    expected = notes(roots[0], "alice", "caching", 6) + notes(roots[1], "bob", "indexing", 6, month=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "JOURNAL_"))}
    processes = [subprocess.Popen([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "ingest",
                                   "--no-reflect", str(root / "notes" / name)],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for root, name in zip(roots, ("alice", "bob"), strict=True)]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, out + err

    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    reader = journal_at(tmp_path / "reader", bucket_uri, embedding_server.base_url)
    archive = Archive.open(open_journal(root=reader))
    stats = archive.stats()
    assert stats.notes == 12
    titles = set(archive.scan("source = 'note'", ["title"]).column("title").to_pylist())
    assert titles == set(expected)
    assert {h.title for h in search_chunks(archive, "caching promises", mode="fts", limit=20)} >= {"Caching note 0"}


def test_full_rebuild_of_a_shared_archive_keeps_notes_and_agent_entries(tmp_path, bucket_uri, embedding_server,
                                                                         run_cli):
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    root = journal_at(tmp_path / "j", bucket_uri, embedding_server.base_url)
    notes(root, "", "git", 2)
    assert run_cli("ingest", "--no-reflect", root=root).exit_code == 0
    Archive.open(open_journal(root=root)).insert_agent_memory("The learner prefers short examples.")

    result = run_cli("ingest", "--no-reflect", "--full", root=root)
    assert result.exit_code == 0, result.output
    archive = Archive.open(open_journal(root=root))
    stats = archive.stats()
    assert (stats.notes, stats.agent_entries) == (2, 1)
    assert search_chunks(archive, "short examples", mode="fts", source="agent")
    assert not [k for k in keys(bucket_uri) if k.startswith("shared/archive.rebuild/")]  # the rebuild is dropped


# -- where the archive is: [archive] uri and JOURNAL_ARCHIVE_URI -------------------------------------------
def located(root) -> ArchiveLocation:
    from journal_agent.workspace import open_journal

    return archive_location(open_journal(root=root))


def test_the_default_place_is_the_local_folder(journal_dir):
    place = located(journal_dir)
    assert place.is_local and place.path == journal_dir / ".journal" / "archive.lance"


@pytest.mark.parametrize("uri, expected", [
    ("shared/archive.lance", "{root}/shared/archive.lance"),
    ("file:///srv/journal/archive.lance", "/srv/journal/archive.lance"),
    ("s3://bucket/prefix/", "s3://bucket/prefix"),
    ("gs://bucket/p", "gs://bucket/p"),
    ("az://container/p", "az://container/p"),
    ("s3+ddb://bucket/p?ddbTableName=commits", "s3+ddb://bucket/p?ddbTableName=commits"),
])
def test_archive_uri_forms(journal_dir, uri, expected):
    set_config(journal_dir, "archive", "uri", uri)
    assert located(journal_dir).uri == expected.format(root=journal_dir)


def test_the_environment_overrides_the_file(journal_dir, monkeypatch):
    set_config(journal_dir, "archive", "uri", "s3://from-file/a")
    monkeypatch.setenv("JOURNAL_ARCHIVE_URI", "s3://from-env/b")
    place = located(journal_dir)
    assert (place.uri, place.is_local) == ("s3://from-env/b", False)


@pytest.mark.parametrize("uri, message", [("db://my-project", "LanceDB Cloud"), ("http://host/x", "unknown scheme")])
def test_places_lancedb_cannot_store_in_are_named(journal_dir, uri, message, run_cli):
    set_config(journal_dir, "archive", "uri", uri)
    with pytest.raises(ConfigError, match=message):
        located(journal_dir)
    result = run_cli("search", "anything")
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_storage_options_from_the_file_reach_the_object_store(tmp_path, bucket_uri, embedding_server, run_cli,
                                                               monkeypatch):
    # No endpoint in the environment: it comes from [archive.storage_options]; the keys still from AWS_*.
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    for name in ("AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP"):
        monkeypatch.delenv(name)
    root = journal_at(tmp_path / "j", bucket_uri, embedding_server.base_url)
    set_config(root, "archive", "storage_options", {"endpoint": endpoint, "allow_http": "true"})
    assert located(root).storage_options == {"endpoint": endpoint, "allow_http": "true"}
    notes(root, "", "vim", 1)
    result = run_cli("ingest", "--no-reflect", root=root)
    assert result.exit_code == 0, result.output
    assert any(k.startswith("shared/archive/chunks.lance/") for k in keys(bucket_uri, endpoint))
