"""The openai embedding backend through the CLI, against the local OpenAI-compatible server."""

from __future__ import annotations

import json

from tests.support.journals import set_config, write
from tests.support.openai_server import FakeOpenAI


def test_openai_backend_ingests_searches_and_refuses_a_model_change(journal_dir, run_cli):
    # The endpoint comes from OPENAI_BASE_URL here (the chat model's), not [embedding] base_url.
    set_config(journal_dir, "embedding", "base_url", None)
    set_config(journal_dir, "embedding", "model", "text-embedding-3-small")
    toml = journal_dir / "journal.toml"
    write(journal_dir / "notes" / "kafka.md", "# Kafka\n\nConsumer groups rebalance partitions.\n")
    write(journal_dir / "notes" / "css.md", "# CSS\n\nGrid template areas name layout regions.\n")
    with FakeOpenAI() as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"}
        assert run_cli("ingest", "--no-reflect", env=env).exit_code == 0
        found = run_cli("search", "--json", "--mode", "vector", "grid layout regions", env=env)
        assert json.loads(found.output)["results"][0]["path"] == "notes/css.md"

        changed = toml.read_text().replace('"text-embedding-3-small"', '"text-embedding-3-large"')
        toml.write_text(changed)
        refused = run_cli("search", "kafka", env=env)
        assert refused.exit_code == 1 and "re-index needed" in refused.output
        assert run_cli("ingest", "--full", "--no-reflect", env=env).exit_code == 0
        found = json.loads(run_cli("search", "--json", "kafka", env=env).output)
        assert found["results"][0]["path"] == "notes/kafka.md"
