"""Test journals: paths to the seed note and the shared corpora, and small file helpers.

The seed note is read from this repository's ``notes/`` so that a fresh clone
runs the tests; the TIL corpora live in ``../shared/corpora`` and tests that
need them skip with a reason when they are absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "notes" / "2025-09-18-momentum-learning-day-2.markdown"
SEED_NAME = "Momentum Learning Day 2.markdown"  # the file name the learner's Jekyll site uses
SHARED = REPO.parent / "shared"
SIMONW = SHARED / "corpora" / "simonw-til"
JBRANCHAUD = SHARED / "corpora" / "jbranchaud-til"

needs_simonw = pytest.mark.skipif(not SIMONW.is_dir(), reason="needs ../shared/corpora/simonw-til (absent)")
needs_jbranchaud = pytest.mark.skipif(
    not JBRANCHAUD.is_dir(), reason="needs ../shared/corpora/jbranchaud-til (absent)")


def make_journal_dir(folder: Path, *, embedding_base_url: str | None = None) -> Path:
    """A minimal journal (journal.toml + notes/) without the site scaffold.

    With ``embedding_base_url`` the journal embeds through that OpenAI-compatible
    ``/v1/embeddings`` server (the fast test double) instead of running MiniLM.
    """
    from journal_agent.config import default_toml

    folder.mkdir(parents=True, exist_ok=True)
    text = default_toml(series="Momentum Learning")
    if embedding_base_url:
        text = use_embedding_server(text, embedding_base_url)
    (folder / "journal.toml").write_text(text, encoding="utf-8")
    (folder / "notes").mkdir(exist_ok=True)
    return folder


def use_embedding_server(toml_text: str, base_url: str) -> str:
    """``journal.toml`` text switched to the hashed bag-of-words ``/v1/embeddings`` test server."""
    import re

    section = (f'[embedding]\nbackend = "openai"\nmodel = "{TEST_EMBEDDING_MODEL}"\n'
               f'base_url = "{base_url}"\n')
    return re.sub(r"\[embedding\]\n(?:(?!\[).*\n)*", section + "\n", toml_text, count=1)


TEST_EMBEDDING_MODEL = "test-hashed-bag-of-words"


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` (or bytes) to ``path``, making parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def set_config(root: Path, section: str, key: str, value: object) -> None:
    """Set ``[section] key = value`` in ``root/journal.toml`` (``None`` removes the key)."""
    import tomllib

    from journal_agent.config import _toml_value

    path = root / "journal.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    table = data.setdefault(section, {})
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
    lines = []
    for name, values in data.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
