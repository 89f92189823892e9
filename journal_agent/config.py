"""The journal workspace: where a journal lives and what ``journal.toml`` says.

A journal is a folder with ``journal.toml`` at its root, found by walking up
from the current directory the way git finds ``.git``. It holds ``notes/``
(Markdown notes), ``site/`` (the MkDocs project) and ``.journal/`` (the
archival store and agent state; git-ignored).

Precedence for every setting: explicit argument > environment variable >
``journal.toml`` > built-in default. ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``
are left to the openai SDK, which reads them itself; no key is ever written
to disk or printed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from journal_agent.errors import ConfigError, JournalNotFound

CONFIG_FILE = "journal.toml"
STATE_DIR = ".journal"
DEFAULT_SERIES = "Momentum Learning"
DEFAULT_CATEGORIES = ["Momentum_Learning", "Learning Journey"]
DEFAULT_EMBEDDING_MODELS = {
    "minilm": "sentence-transformers/all-MiniLM-L6-v2",
    "openai": "text-embedding-3-small",
}
DEFAULT_LLM_MODEL = "gpt-4o-mini"

DEFAULT_TOML = """\
# journal-agent settings. Environment variables override these
# (JOURNAL_MODEL, JOURNAL_EMBEDDING_BACKEND, JOURNAL_EMBEDDING_MODEL);
# OPENAI_API_KEY / OPENAI_BASE_URL are read by the openai SDK itself.
# Never put an API key in this file.

[journal]
series = "{series}"
categories = ["Momentum_Learning", "Learning Journey"]

[embedding]
# "minilm": all-MiniLM-L6-v2 run locally (no network, no key).
# "openai": any OpenAI-compatible /v1/embeddings endpoint.
backend = "minilm"
model = "sentence-transformers/all-MiniLM-L6-v2"

[llm]
model = "gpt-4o-mini"
# base_url = "http://127.0.0.1:11434/v1"   # Ollama, llama.cpp, vLLM, ...

[agent]
max_steps = 10
context_tokens = 8000

[site]
title = "{series}"
url = "http://127.0.0.1:8000/"   # where the site will live; the RSS feed needs it
author = ""
description = "A learning journal."
"""


@dataclass
class Config:
    """Settings of one journal, after env overrides. See ``DEFAULT_TOML``."""

    series: str = DEFAULT_SERIES
    categories: list[str] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    embedding_backend: str = "minilm"
    embedding_model: str = DEFAULT_EMBEDDING_MODELS["minilm"]
    llm_model: str = DEFAULT_LLM_MODEL
    llm_base_url: str | None = None
    max_steps: int = 10
    context_tokens: int = 8000
    site_title: str = DEFAULT_SERIES
    site_url: str = ""
    site_author: str = ""
    site_description: str = "A learning journal."

    @classmethod
    def from_toml(cls, path: Path, env: dict[str, str] | None = None) -> "Config":
        """Read ``journal.toml`` at ``path`` and apply environment overrides.

        Raises:
            ConfigError: the file is not valid TOML or a value has the wrong type.
        """
        env = os.environ if env is None else env
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        journal = data.get("journal", {})
        embedding = data.get("embedding", {})
        llm = data.get("llm", {})
        agent = data.get("agent", {})
        site = data.get("site", {})
        cfg = cls()
        cfg.series = str(journal.get("series", cfg.series))
        categories = journal.get("categories", cfg.categories)
        if not isinstance(categories, list):
            raise ConfigError(f"{path}: [journal] categories must be a list of strings")
        cfg.categories = [str(c) for c in categories]
        file_backend = embedding.get("backend", cfg.embedding_backend)
        cfg.embedding_backend = env.get("JOURNAL_EMBEDDING_BACKEND", file_backend)
        if cfg.embedding_backend not in DEFAULT_EMBEDDING_MODELS:
            raise ConfigError(
                f"{path}: unknown embedding backend {cfg.embedding_backend!r}; "
                f"use one of {', '.join(DEFAULT_EMBEDDING_MODELS)}"
            )
        # The file's model name belongs to the file's backend only.
        configured = embedding.get("model") if cfg.embedding_backend == file_backend else None
        cfg.embedding_model = (
            env.get("JOURNAL_EMBEDDING_MODEL")
            or configured
            or DEFAULT_EMBEDDING_MODELS[cfg.embedding_backend]
        )
        cfg.llm_model = env.get("JOURNAL_MODEL", llm.get("model", cfg.llm_model))
        cfg.llm_base_url = llm.get("base_url") or None
        try:
            cfg.max_steps = int(env.get("JOURNAL_MAX_STEPS", agent.get("max_steps", cfg.max_steps)))
            cfg.context_tokens = int(agent.get("context_tokens", cfg.context_tokens))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: [agent] values must be whole numbers: {exc}") from exc
        cfg.site_title = str(site.get("title", cfg.series))
        cfg.site_url = str(site.get("url", ""))
        cfg.site_author = str(site.get("author", ""))
        cfg.site_description = str(site.get("description", cfg.site_description))
        return cfg


@dataclass
class Journal:
    """A journal workspace rooted at ``root``.

    Attributes:
        root: absolute folder holding ``journal.toml``.
        config: its settings.
    """

    root: Path
    config: Config

    @property
    def notes_dir(self) -> Path:
        return self.root / "notes"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def state_dir(self) -> Path:
        """``.journal/``: archival store, core memory, recall memory. Created on demand."""
        path = self.root / STATE_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def store_dir(self) -> Path:
        return self.state_dir / "archive.lance"

    def relative(self, path: Path) -> str:
        """``path`` relative to the journal root, POSIX style; absolute if outside it."""
        path = Path(path).resolve()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def find_root(start: Path | None = None, explicit: str | os.PathLike | None = None) -> Path:
    """Find the journal root: ``explicit`` > ``$JOURNAL_ROOT`` > walk up from ``start``.

    Raises:
        JournalNotFound: no ``journal.toml`` on the way up (or at the explicit root).
    """
    explicit = explicit or os.environ.get("JOURNAL_ROOT")
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not (root / CONFIG_FILE).is_file():
            raise JournalNotFound(
                f"{root} is not a journal (no {CONFIG_FILE}); run `journal init {root}` first"
            )
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise JournalNotFound(
        f"no {CONFIG_FILE} in {here} or any parent folder; run `journal init` to create "
        "a journal here, or pass --root / set JOURNAL_ROOT"
    )


def open_journal(start: Path | None = None, root: str | os.PathLike | None = None) -> Journal:
    """Locate (see :func:`find_root`) and load a journal."""
    found = find_root(start, root)
    return Journal(found, Config.from_toml(found / CONFIG_FILE))


def init_journal(folder: Path, series: str = DEFAULT_SERIES) -> Journal:
    """Create a journal in ``folder`` (made if missing). Existing files are kept.

    Writes ``journal.toml``, ``notes/``, ``site/mkdocs.yml`` and a ``.gitignore``
    for the generated folders. Returns the opened journal.
    """
    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / CONFIG_FILE
    if not config_path.exists():
        config_path.write_text(DEFAULT_TOML.format(series=series), encoding="utf-8")
    (folder / "notes").mkdir(exist_ok=True)
    (folder / "site").mkdir(exist_ok=True)
    gitignore = folder / ".gitignore"
    wanted = [f"{STATE_DIR}/", "site/public/", "site/docs/posts/", "site/.cache/"]
    existing = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    missing = [line for line in wanted if line not in existing]
    if missing:
        gitignore.write_text("\n".join(existing + missing) + "\n", encoding="utf-8")
    journal = Journal(folder, Config.from_toml(config_path))
    from journal_agent.site.build import scaffold_site  # local import: the site glue is not needed elsewhere

    scaffold_site(journal)
    return journal
