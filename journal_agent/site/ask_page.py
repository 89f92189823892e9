"""The Ask page: a question box in the published site that streams the journal agent's steps.

``ask.md`` (scaffolded from ``templates/``, so it is in the site's navigation
like ``stats.md``) holds ``<!-- journal:ask -->``. At build time:

* :data:`ASK_MARKER` becomes an empty placeholder ``<div>`` (:func:`ask_placeholder`),
  which the sanitizer keeps; once the page is rendered (and sanitized), the placeholder
  becomes the widget (:func:`fill_ask`): the "needs ``journal serve``" notice, a hidden
  question form, empty step and answer regions, and the published posts as JSON
  (:func:`~journal_agent.site.links.post_links`: note path → post URL and title), so citations
  link to posts.
  The widget is our own markup, made here with every value escaped; it never holds
  note or model text as HTML.
* :data:`ASK_SCRIPT` (``javascripts/ask.js``, one small file shipped in the package
  under ``static/``) is added to the built site as a generated file
  (:func:`ask_script_file`), so an upgrade never leaves an old copy in ``docs/``.

In the browser the script asks the same origin for ``GET v1/agents/`` (relative to the
site's root). Served by ``journal serve`` it gets the agent list, shows the form, and
sends each question to ``POST v1/agents/{agent_id}/messages/stream``, drawing each
Letta message of the server-sent event stream as it arrives (``reasoning_message``,
``tool_call_message``, ``tool_return_message``, ``assistant_message``, then
``stop_reason`` and ``usage_statistics``, then ``[DONE]``; Letta's streaming API,
docs.letta.com "Streaming") with Material's admonition and details markup. Model text
is only ever set as text (``textContent``), never parsed as HTML. Note paths and post
titles named in the answer become links to their posts, and the cited posts are listed
under "Sources"; a source the server sends with a ``url`` (the ``sources`` of the ``stop_reason``
message: :func:`~journal_agent.site.links.cited_url`, the link ``/v1/chat/completions`` gives too)
links to the cited entry's anchor in its post. On a static host the request fails and the notice stays: the page
needs ``journal serve``, and says how to start it.

Only published notes are in the map (private and draft notes never reach
``render_posts``' result), so a private note's path is never written into the page.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from journal_agent.site.links import PostLinks
from journal_agent.site.links import post_links as post_links  # the Ask page's map (build.py builds it)

ASK_PAGE = "ask.md"
ASK_MARKER = "<!-- journal:ask -->"
ASK_SCRIPT = "javascripts/ask.js"
SERVE_PORT = 8283  # `journal serve`'s default port (Letta's)
SCRIPT_SOURCE = Path(__file__).parent / "static" / "ask.js"
_PLACEHOLDER = '<div class="journal-ask" id="journal-ask"></div>'
_SLOT_RE = re.compile(r'<div\b[^>]*\bid="journal-ask"[^>]*>\s*</div>')
_ASK_CSS = (
    ".journal-ask [hidden]{display:none!important}"
    ".journal-ask__form textarea{width:100%;box-sizing:border-box;font:inherit;padding:.6em;"
    "border:1px solid var(--md-default-fg-color--lighter);border-radius:.2rem;"
    "background:var(--md-default-bg-color);color:var(--md-default-fg-color)}"
    ".journal-ask__form{display:grid;gap:.6em;margin:1em 0}"
    ".journal-ask__form .journal-ask__row{display:flex;gap:.8em;align-items:center;flex-wrap:wrap}"
    ".journal-ask__form select,.journal-ask__form input{font:inherit;padding:.3em .5em;"
    "border:1px solid var(--md-default-fg-color--lighter);border-radius:.2rem;"
    "background:var(--md-default-bg-color);color:var(--md-default-fg-color)}"
    ".journal-ask__text{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".journal-ask__status{color:var(--md-default-fg-color--light)}"
)


def ask_placeholder() -> str:
    """What replaces :data:`ASK_MARKER` in ``ask.md``'s Markdown: an empty ``<div>`` the sanitizer keeps."""
    return _PLACEHOLDER


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``/``\\u003e``/``\\u0026`` (still the same
    JSON string), so no text can close the script element or open a comment.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fill_ask(page_html: str, links: PostLinks, page_url: str) -> str:
    """``page_html`` of the rendered Ask page with its placeholder replaced by the widget.

    Args:
        page_html: the page's content HTML after Markdown and the sanitizer.
        links: :func:`~journal_agent.site.links.post_links` (URLs relative to the site's root).
        page_url: the page's URL relative to the site's root (``"ask/"``); the
            widget's ``data-base`` is the way back to the root (``"../"``), against
            which the script resolves the API and the post URLs.

    Returns the HTML unchanged when it has no placeholder.
    """
    from mkdocs.utils import get_relative_url

    base = get_relative_url(".", page_url or ".")
    base = "./" if base in ("", ".") else base.rstrip("/") + "/"
    script = get_relative_url(ASK_SCRIPT, page_url or ".")
    serve_url = f"http://127.0.0.1:{SERVE_PORT}/{page_url}"
    widget = f"""<div class="journal-ask" id="journal-ask" data-base="{html.escape(base)}" data-search-exclude>
<div class="admonition info journal-ask__offline" id="journal-ask-offline">
<p class="admonition-title">Asking needs <code>journal serve</code></p>
<p>This page talks to the journal agent, which runs on your machine: a static copy of the site cannot
answer. In the journal's folder run <code>journal site build</code>, then <code>journal serve</code>,
and open <a href="{html.escape(serve_url)}">{html.escape(serve_url)}</a>.</p>
<p class="journal-ask__problem" id="journal-ask-problem" hidden></p>
</div>
<form class="journal-ask__form" id="journal-ask-form" novalidate hidden>
<label for="journal-ask-question">Ask your journal</label>
<textarea id="journal-ask-question" name="question" rows="3" required
 placeholder="Which course did I start to learn about agent memory?"></textarea>
<div class="journal-ask__row">
<button type="submit" class="md-button md-button--primary" id="journal-ask-submit">Ask</button>
<label for="journal-ask-agent" id="journal-ask-agent-label" hidden>Agent</label>
<select id="journal-ask-agent" name="agent" hidden></select>
<label for="journal-ask-token" id="journal-ask-token-label" hidden>Server token</label>
<input type="password" id="journal-ask-token" name="token" autocomplete="off" hidden>
</div>
</form>
<p class="journal-ask__status" id="journal-ask-status" role="status" aria-live="polite"></p>
<div class="journal-ask__steps" id="journal-ask-steps"></div>
<div class="journal-ask__answer" id="journal-ask-answer" aria-live="polite"></div>
<script type="application/json" id="journal-ask-posts">{script_json(links)}</script>
<style>{_ASK_CSS}</style>
</div>
<script src="{html.escape(script)}"></script>"""
    return _SLOT_RE.sub(lambda _: widget, page_html, count=1)


def ask_script_file(config: Any) -> Any:
    """The Ask page's script as a MkDocs ``File`` generated at :data:`ASK_SCRIPT` (mkdocs ≥ 1.6).

    Raises:
        OSError: the packaged script cannot be read.
    """
    from mkdocs.structure.files import File

    return File.generated(config, ASK_SCRIPT, content=SCRIPT_SOURCE.read_text(encoding="utf-8"))
