"""``journal.toml``: one pydantic model per section, defaults in one place.

Every setting has one default, written here; :func:`default_toml` generates
the file ``journal init`` writes from these models, and ``journal.toml`` at
the repository root is that output. Unknown keys are errors naming the key
and the file (``extra="forbid"``), so a typo such as ``max_step = 3`` is not
silently ignored.

Precedence for every setting: explicit argument > environment variable
(:data:`ENV_OVERRIDES`) > ``journal.toml`` > the default here.
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` are left to the openai SDK, which
reads them itself; no key is ever written to disk or printed.
"""

from __future__ import annotations

import ast
import difflib
import importlib.util
import json
import os
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from journal_agent.errors import ConfigError

DEFAULT_SERIES = "Momentum Learning"
DEFAULT_DATE_LANGUAGES: tuple[str, ...] = ("en",)  # dateparser language codes
DEFAULT_CHAT_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDING_MODELS = {
    "minilm": "sentence-transformers/all-MiniLM-L6-v2",
    "openai": "text-embedding-3-small",
}

EmbeddingBackend = Literal["minilm", "openai"]
ReflectMode = Literal["inline", "background", "off"]


_NOT_IN_URLS = frozenset('"<>\\^`{|}\'')  # RFC 3986 never allows these unescaped; templates put the URL in attributes
MAX_TIMEOUT = 86_400.0  # [llm] timeout: a day; asyncio and the socket layer overflow on inf


@lru_cache(maxsize=1)
def dateparser_languages() -> frozenset[str]:
    """The language codes dateparser knows (``language_order`` of ``dateparser/data/languages_info.py``),
    read from the file without importing dateparser (which takes ~100 ms); empty when it cannot be read,
    and then no entry is refused here."""
    try:
        spec = importlib.util.find_spec("dateparser")
        if spec is None or spec.origin is None:
            return frozenset()
        source = (Path(spec.origin).parent / "data" / "languages_info.py").read_text(encoding="utf-8")
        start = source.index("language_order")
        tree = ast.parse(source[start:source.index("]", start) + 1])
        return frozenset(ast.literal_eval(tree.body[0].value))  # type: ignore[attr-defined]
    except (OSError, ValueError, SyntaxError, IndexError, AttributeError):
        return frozenset()


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class JournalSettings(_Section):
    """``[journal]``: the series and how notes are written."""

    series: str = Field(DEFAULT_SERIES, description='notes are titled "<series> Day N"')
    categories: list[str] = Field(["Momentum_Learning", "Learning Journey"],
                                  description="categories of a new note")
    date_languages: list[str] = Field(list(DEFAULT_DATE_LANGUAGES), description="languages dateparser reads dates in",
                                      min_length=1, max_length=20)

    @field_validator("date_languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        """Each entry a language dateparser knows (``en``, ``de``, ``zh-Hans``): a bad one was blamed on
        ``--since`` by every command that read a date (issue 21)."""
        known = dateparser_languages()
        for code in value:
            if known and code not in known:
                close = difflib.get_close_matches(code, sorted(known), n=1)
                raise ValueError(f"{code!r} is not a language dateparser knows" +
                                 (f"; did you mean {close[0]!r}?" if close else " (use codes like \"en\", \"de\")"))
        return value


class EmbeddingSettings(_Section):
    """``[embedding]``: which model turns chunks into vectors."""

    backend: EmbeddingBackend = Field(
        "minilm", description='"minilm": all-MiniLM-L6-v2 run locally (no network, no key); '
        '"openai": any OpenAI-compatible /v1/embeddings endpoint')
    model: str | None = Field(DEFAULT_EMBEDDING_MODELS["minilm"],
                              description="default: the backend's own (all-MiniLM-L6-v2, text-embedding-3-small)")
    base_url: str | None = Field(None, description="the openai backend's endpoint, when not the chat model's")

    @property
    def model_name(self) -> str:
        """The model id recorded in the archive: ``model`` or the backend's default."""
        return self.model or DEFAULT_EMBEDDING_MODELS[self.backend]


class LLMSettings(_Section):
    """``[llm]``: the chat model the agent talks to."""

    model: str = Field(DEFAULT_CHAT_MODEL, description="model name as the server knows it")
    base_url: str | None = Field(None, description="Ollama, llama.cpp, vLLM, ... e.g. http://127.0.0.1:11434/v1")
    timeout: float = Field(120.0, gt=0, le=MAX_TIMEOUT, allow_inf_nan=False,
                           description="seconds to wait for the model before giving up")
    max_tokens: int | None = Field(None, gt=0, description="cap on the length of one reply (tokens)")
    context_window: int | None = Field(None, gt=0, description="the server's context window in tokens, if known")
    share_private: bool = Field(False, description="send private and draft notes to the model")


class AgentSettings(_Section):
    """``[agent]``: the memory agent's loop and context budget."""

    max_steps: int = Field(10, ge=1, description="step cap of one turn")
    context_tokens: int | None = Field(
        None, ge=1000, description="prompt-token budget of one step; default: what the model's server allows "
        "when known ([llm] context_window, or learned from its errors), else 8000")
    reflect: ReflectMode = Field("inline", description="update the learner profile after add/ingest")


class SiteSettings(_Section):
    """``[site]``: the MkDocs Material site."""

    title: str | None = Field(None, description="default: the series name")
    url: str = Field("http://127.0.0.1:8000/", description="where the site will live; the RSS feed needs it")
    author: str = ""
    description: str = "A learning journal."
    allow_html: bool = Field(False, description="keep raw HTML written in notes (sanitized otherwise)")
    exclude_sources: list[str] = Field(
        default_factory=list, description='ingested folders whose notes the site leaves out, journal-relative '
        '(as `journal ingest` was given them) or absolute, e.g. ["other"]; notes/ and every other ingested '
        'folder are published')

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        """An ``http``/``https`` URL with a host, or empty (no feed): ``javascript:alert(1)`` aborted the
        site build with "Aborted with a configuration error!" and no reason (issue 21)."""
        if not value:
            return value
        try:
            parts = urlsplit(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a URL ({exc})") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname or any(
                c.isspace() or c in _NOT_IN_URLS or not c.isprintable() for c in value):
            raise ValueError(f"{value[:80]!r} is not an http(s) URL with a host, e.g. \"https://example.org/journal/\"")
        return value


class ArchiveSettings(_Section):
    """``[archive]``: where the archival store lives (see :mod:`journal_agent.archive.location`)."""

    uri: str | None = Field(
        None, description="default: the local folder .journal/archive.lance; s3://bucket/prefix, gs://..., "
        "az://... share one archive between journals (credentials from the AWS_* variables, never from here)")
    storage_options: dict[str, str] = Field(
        default_factory=dict, description='LanceDB object-store options, e.g. { region = "us-east-1", '
        'allow_http = "true" }; keys and secrets belong in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY')


class Config(_Section):
    """Settings of one journal, after environment overrides."""

    journal: JournalSettings = Field(default_factory=JournalSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    site: SiteSettings = Field(default_factory=SiteSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)

    @property
    def site_title(self) -> str:
        return self.site.title or self.journal.series


# Environment variable -> (section, key). The README's table lists exactly these.
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "JOURNAL_MODEL": ("llm", "model"),
    "JOURNAL_LLM_TIMEOUT": ("llm", "timeout"),
    "JOURNAL_EMBEDDING_BACKEND": ("embedding", "backend"),
    "JOURNAL_EMBEDDING_MODEL": ("embedding", "model"),
    "JOURNAL_EMBEDDING_BASE_URL": ("embedding", "base_url"),
    "JOURNAL_MAX_STEPS": ("agent", "max_steps"),
    "JOURNAL_REFLECT": ("agent", "reflect"),
    "JOURNAL_ARCHIVE_URI": ("archive", "uri"),
}


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read ``journal.toml`` at ``path`` (defaults when absent) and apply :data:`ENV_OVERRIDES`.

    Raises:
        ConfigError: not valid TOML, an unknown section or key, or a value of the
            wrong type; the message names the file and the key.
    """
    env = os.environ if env is None else env
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError as exc:  # tomllib recurses on nested arrays and inline tables
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply to read") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    embedding = data.get("embedding")
    file_backend = embedding.get("backend", "minilm") if isinstance(embedding, dict) else "minilm"
    for name, (section, key) in ENV_OVERRIDES.items():
        if env.get(name):
            data.setdefault(section, {})
            if not isinstance(data[section], dict):
                break  # reported by validation below
            data[section][key] = env[name]
    if isinstance(data.get("embedding"), dict):
        emb = data["embedding"]
        # The file's model name belongs to the file's backend only.
        if emb.get("backend", "minilm") != file_backend and not env.get("JOURNAL_EMBEDDING_MODEL"):
            emb.pop("model", None)
        emb.setdefault("model", None)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(path, exc, env)) from exc


def _explain(path: Path, exc: ValidationError, env: Mapping[str, str]) -> str:
    problems = []
    by_key = {v: k for k, v in ENV_OVERRIDES.items()}
    for error in exc.errors():
        where = [str(p) for p in error["loc"]]
        section, key = (where + ["", ""])[:2]
        name = f"[{section}] {key}".strip() if key else f"[{section}]"
        variable = by_key.get((section, key))
        origin = f" (from {variable})" if variable and env.get(variable) else ""
        if error["type"] == "extra_forbidden":
            known = _known_keys(section, key)
            problems.append(f"unknown setting {name}{origin}" + (f"; did you mean {known}?" if known else ""))
        else:
            problems.append(f"{name}{origin}: {error['msg']}")
    return f"{path}: " + "; ".join(problems)


def _known_keys(section: str, key: str) -> str:
    model = Config.model_fields.get(section)
    if model is None or not key:
        options, word = list(Config.model_fields), section
    else:
        options, word = list(model.annotation.model_fields), key  # type: ignore[union-attr]
    close = difflib.get_close_matches(word, options, n=1)
    return close[0] if close else ""


def default_toml(series: str = DEFAULT_SERIES) -> str:
    """The ``journal.toml`` that ``journal init`` writes, generated from the models' defaults.

    Settings whose default is "none" (or an empty table) are written commented out.
    """
    lines = [
        "# journal-agent settings. Every key and its default; environment variables override them",
        "# (see the README's Configuration table). OPENAI_API_KEY / OPENAI_BASE_URL are read by",
        "# the openai SDK itself. Never put an API key in this file.",
    ]
    defaults = Config()
    defaults.journal.series = series
    for section in Config.model_fields:
        lines.append("")
        lines.append(f"[{section}]")
        values = getattr(defaults, section)
        for key, info in type(values).model_fields.items():
            value = getattr(values, key)
            comment = f"   # {info.description}" if info.description else ""
            if value is None or value == {}:
                lines.append(f"# {key} = ...{comment}")
            else:
                lines.append(f"{key} = {_toml_value(value)}{comment}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string
