"""The ``openai.OpenAI`` client of a journal: one rule for its endpoint and key, used by chat and embeddings.

Works with OpenAI and any OpenAI-compatible server (Ollama, llama.cpp, vLLM,
proxies) through the ``openai`` SDK. Endpoint settings, in order:

* an explicit ``base_url`` (``[embedding] base_url`` for the embedding client);
* ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``, read by the SDK itself;
* ``[llm] base_url`` in ``journal.toml`` (used when ``OPENAI_BASE_URL`` is unset);
* otherwise the SDK's default (api.openai.com).

"Configured" means ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set, or the
journal has a base URL. A base URL without a key gets a placeholder key, as
local servers ignore it. The key is never printed or stored.

Below both :mod:`journal_agent.agent.llm` (chat) and
:mod:`journal_agent.archive.embeddings` (``/v1/embeddings``), so the archive
never imports the agent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from journal_agent.errors import ModelNotConfigured

if TYPE_CHECKING:
    from openai import OpenAI

    from journal_agent.config import Config

PLACEHOLDER_KEY = "sk-local-no-key-needed"
NOT_CONFIGURED = (
    "No model configured: set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL for a local "
    "OpenAI-compatible server (e.g. http://127.0.0.1:11434/v1 for Ollama), or [llm] base_url "
    "in journal.toml; pick the model with --model, JOURNAL_MODEL or [llm] model."
)
SDK_MAX_RETRIES = 2  # the openai SDK's default, kept for the embedding client


def is_configured(config: Config, env: Mapping[str, str] | None = None) -> bool:
    """True when an endpoint is configured (API key, base URL in env, or in ``journal.toml``)."""
    env = os.environ if env is None else env
    return bool(env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL") or config.llm.base_url)


def make_client(config: Config, env: Mapping[str, str] | None = None, *, base_url: str | None = None,
                max_retries: int = SDK_MAX_RETRIES) -> OpenAI:
    """An ``openai.OpenAI`` client for ``config``.

    Args:
        config: the journal's settings (``[llm] base_url``, ``[llm] timeout`` in seconds).
        env: environment (default ``os.environ``).
        base_url: an explicit endpoint (``[embedding] base_url``); wins over everything.
        max_retries: the SDK's retries; the chat agent passes 0 and retries itself
            (:func:`journal_agent.agent.llm.complete`).

    Raises:
        ModelNotConfigured: no key and no base URL (message: :data:`NOT_CONFIGURED`).
    """
    env = os.environ if env is None else env
    if not base_url and not is_configured(config, env):
        raise ModelNotConfigured(NOT_CONFIGURED)
    from openai import OpenAI

    kwargs: dict[str, Any] = {"timeout": config.llm.timeout, "max_retries": max_retries}
    if base_url:
        kwargs["base_url"] = base_url
    elif config.llm.base_url and not env.get("OPENAI_BASE_URL"):
        kwargs["base_url"] = config.llm.base_url
    if not env.get("OPENAI_API_KEY"):
        kwargs["api_key"] = PLACEHOLDER_KEY
    return OpenAI(**kwargs)
