"""journal.toml: defaults in one place, unknown keys refused, every override documented (issue 8)."""

from __future__ import annotations

import pytest

from journal_agent.config import ENV_OVERRIDES, Config, default_toml, load_config
from journal_agent.errors import ConfigError
from tests.support.journals import REPO


def test_repo_journal_toml_is_what_init_writes():
    assert (REPO / "journal.toml").read_text(encoding="utf-8") == default_toml()


def test_generated_template_reads_back_as_the_defaults(tmp_path):
    path = tmp_path / "journal.toml"
    path.write_text(default_toml("Deep Work"), encoding="utf-8")
    config = load_config(path, env={})
    expected = Config()
    expected.journal.series = "Deep Work"
    assert config == expected
    assert config.site_title == "Deep Work"


def test_every_environment_override_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in ENV_OVERRIDES if f"`{name}`" not in readme] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("[agent]\nmax_step = 3\n", "unknown setting [agent] max_step; did you mean max_steps?"),
    ("[agnet]\nmax_steps = 3\n", "unknown setting [agnet]; did you mean agent?"),
    ("[llm]\ntimeout = -1\n", "[llm] timeout: Input should be greater than 0"),
    ("[embedding]\nbackend = \"bert\"\n", "[embedding] backend: Input should be 'minilm' or 'openai'"),
    ("[journal\n", "not valid TOML"),
])
def test_invalid_files_name_the_file_and_key(tmp_path, text, expected):
    path = tmp_path / "journal.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, env={})
    assert str(path) in str(raised.value) and expected in str(raised.value)


def test_environment_beats_the_file(tmp_path):
    path = tmp_path / "journal.toml"
    path.write_text('[llm]\nmodel = "llama3.1"\ntimeout = 30\n[agent]\nmax_steps = 4\n', encoding="utf-8")
    config = load_config(path, env={"JOURNAL_MODEL": "qwen2.5", "JOURNAL_LLM_TIMEOUT": "5",
                                    "JOURNAL_MAX_STEPS": "7"})
    assert (config.llm.model, config.llm.timeout, config.agent.max_steps) == ("qwen2.5", 5.0, 7)


def test_embedding_model_of_the_file_belongs_to_the_files_backend(tmp_path):
    path = tmp_path / "journal.toml"
    path.write_text('[embedding]\nbackend = "minilm"\nmodel = "sentence-transformers/all-MiniLM-L6-v2"\n',
                    encoding="utf-8")
    switched = load_config(path, env={"JOURNAL_EMBEDDING_BACKEND": "openai"})
    assert switched.embedding.model_name == "text-embedding-3-small"
    named = load_config(path, env={"JOURNAL_EMBEDDING_BACKEND": "openai",
                                   "JOURNAL_EMBEDDING_MODEL": "nomic-embed-text"})
    assert named.embedding.model_name == "nomic-embed-text"
