"""Publish the journal as a website: MkDocs + Material (blog, tags, search) + RSS.

``site/`` is an ordinary MkDocs project:

* ``site/mkdocs.yml`` — committed; written by :func:`scaffold_site` (``journal
  init``) from ``journal_agent/site/templates/``. The Material **blog** plugin
  runs with ``blog_dir: .``, so the home page lists the newest notes.
* ``site/docs/index.md``, ``tags.md``, ``stats.md``, ``ask.md``, ``stylesheets/`` — committed, written once
  (a missing one is written again at the next build).
* ``site/docs/posts/`` — generated from ``notes/`` and every ingested folder by
  :func:`build_site` (see :mod:`journal_agent.site.render`; ``[site] exclude_sources``
  leaves a folder out); git-ignored.
* ``site/public/`` — the HTML; git-ignored.

Site name, URL, author and description come from ``journal.toml`` ``[site]``
and override ``mkdocs.yml`` at every build. The home page's day count and
streak replace the ``<!-- journal:stats -->`` comment of ``index.md``, and the
stats page (streaks, gaps, months, topics, calendar heatmap) replaces
``<!-- journal:stats-page -->`` in ``stats.md``, at build time (a plain
``mkdocs build`` leaves the comments, which show nothing); every figure comes from
:mod:`journal_agent.notes.stats` through :mod:`journal_agent.site.stats_page`.
Weekly digests (``journal digest``) are notes in the category "Weekly Digest":
they are published as posts and feed items like any note, and are no learning day.

Each post's page heading is the note's title (:func:`~journal_agent.site.render.adjust_markdown`),
and its footer links the previous and next post in date order: the blog plugin
links its posts to each other, and the build turns on Material's
``navigation.footer`` for them (pages that are not posts keep their footer links hidden).

Private notes (``private: true``, ``draft: true``, under a ``private/`` folder of
``notes/`` or of an ingested folder) are never copied into ``site/docs/``, so they reach no page, search index, feed,
sitemap, tag or category page; nor is a note that cannot be read. Nothing
under ``.journal/`` is read.

Safe output (see :mod:`journal_agent.site.sanitize` for where and why): the
posts carry escaped titles, tags and categories (:mod:`~journal_agent.site.render`);
every build adds the sanitizing Markdown extension to the loaded MkDocs config
unless ``[site] allow_html = true``, so pages and the blog's excerpts are
sanitized alike; the RSS/JSON feed items get the sanitized excerpt as their
description (the RSS plugin would otherwise convert the raw Markdown itself);
the ``[site]`` values are escaped like note titles. Feed titles are escaped
exactly once: RSS holds them as XML text (``A &lt; B`` in the file, ``A < B``
parsed), the JSON feed as plain text (:func:`plain_json_feeds`). After the build every feed
file is parsed; one that does not parse is reported (``feed_errors``), never
passed over. A plain ``mkdocs build`` has none of this: publish with
``journal site build``.

MkDocs is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from journal_agent.atomic import write_atomic
from journal_agent.errors import SiteError
from journal_agent.notes.journal import journal_sources
from journal_agent.site.ask_page import (
    ASK_MARKER,
    ASK_PAGE,
    ASK_SCRIPT,
    ask_placeholder,
    ask_script_file,
    fill_ask,
    post_links,
)
from journal_agent.site.render import EXCERPT_SEPARATOR, excluded_folders, render_posts, trim_to_excerpt
from journal_agent.site.sanitize import escape_text, head_title, xml_clean
from journal_agent.site.stats_page import (
    STATS_MARKER,
    STATS_PAGE,
    STATS_PAGE_MARKER,
    SiteStats,
    fill_heatmaps,
    home_block,
    site_stats,
    stats_page_markdown,
)

if TYPE_CHECKING:  # pragma: no cover
    from journal_agent.workspace import Journal

TEMPLATES = Path(__file__).parent / "templates"
MKDOCS_FILE = "mkdocs.yml"
FEED_FILE = "feed_rss_created.xml"

Progress = Callable[[str, str], None]


@dataclass
class SiteBuildReport:
    """What :func:`build_site` did.

    Attributes:
        rendered: journal-relative paths of notes whose post file was (re)written.
        unchanged: notes whose post file was already up to date (file untouched).
        removed: stale generated post files deleted (``posts/<slug>.md``).
        skipped_private: private or draft notes, and everything under a ``private/`` folder.
        left_out: notes of the ingested folders ``[site] exclude_sources`` names (never read).
        failed: ``(note path, reason)`` for notes that could not be rendered.
        output_dir: the built HTML (``site/public/``).
        seconds: wall time of the whole build.
        published: number of notes on the site.
        stats: the figures of the home page and the stats page (:class:`~journal_agent.site.stats_page.SiteStats`).
        feed: the RSS feed file, or ``None`` when no site URL is configured.
        warnings: MkDocs warnings (broken links and the like), one line each.
        feed_errors: ``"<feed file>: <parse error>"`` for each RSS (XML) or JSON
            feed file that does not parse; empty when all are valid.
    """

    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped_private: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    output_dir: Path | None = None
    seconds: float = 0.0
    published: int = 0
    stats: SiteStats | None = None
    feed: Path | None = None
    warnings: list[str] = field(default_factory=list)
    feed_errors: list[str] = field(default_factory=list)


def scaffold_site(journal: Journal) -> Path:
    """Write the MkDocs project under ``journal.root / "site"`` where files are missing.

    Writes ``site/mkdocs.yml``, ``site/docs/index.md``, ``site/docs/tags.md`` and
    ``site/docs/stylesheets/journal.css`` from the package templates, filling in
    the ``[site]`` values of ``journal.toml``. Existing files are never touched.
    Returns the ``site/`` folder.

    Raises:
        SiteError: a file cannot be written.
    """
    site_dir = journal.site_dir
    cfg = journal.config
    values = {
        "__SITE_NAME__": cfg.site_title,
        "__SITE_URL__": cfg.site.url,
        "__SITE_AUTHOR__": cfg.site.author,
        "__SITE_DESCRIPTION__": cfg.site.description,
    }
    try:
        for template in sorted(TEMPLATES.rglob("*")):
            if not template.is_file() or template.name.startswith(("__", ".")):
                continue
            rel = template.relative_to(TEMPLATES)
            target = site_dir / (rel if rel.as_posix() == MKDOCS_FILE else Path("docs") / rel)
            if target.exists():
                continue
            text = template.read_text(encoding="utf-8")
            for key, value in values.items():
                # YAML gets JSON strings (valid double-quoted YAML scalars); Markdown the escaped text.
                text = text.replace(key, json.dumps(value) if target.suffix == ".yml" else escape_text(value))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SiteError(f"cannot write the site scaffold in {site_dir}: {exc}") from exc
    return site_dir


def build_site(journal: Journal, strict: bool = False, progress: Progress | None = None, *,
               today: dt.date | None = None) -> SiteBuildReport:
    """Render the journal's notes into ``site/docs/posts/`` and build the HTML into ``site/public/``.

    Missing scaffold files are written first (:func:`scaffold_site`). Only
    posts whose text changed are rewritten. A note that cannot be read is
    listed in ``report.failed`` with its reason and left out; the rest is built.

    Args:
        journal: the opened journal (notes come from ``notes/`` and every ingested folder not in
            ``[site] exclude_sources``, via the notes model; ``.journal/`` is never read).
        strict: make any failed note fatal: raise before anything is written.
        progress: called as ``progress(event, path)`` with ``event`` in
            ``rendered``/``unchanged``/``private``/``failed`` per note, then
            ``mkdocs`` (path = output folder) before the HTML build.
        today: the day the current streak is computed for (default: the system's date).

    Raises:
        SiteError: ``strict`` and some note failed; ``mkdocs.yml`` is invalid;
            MkDocs failed.
    """
    started = time.perf_counter()
    scaffold_site(journal)
    config = _load_config(journal)
    try:
        posts_dir = _posts_dir(config)
        result = render_posts(journal, posts_dir, progress=progress, strict=strict)
        stats = site_stats(result.notes, today)
        report = SiteBuildReport(
            rendered=result.rendered,
            unchanged=result.unchanged,
            removed=result.removed,
            skipped_private=result.skipped_private,
            left_out=result.left_out,
            failed=result.failed,
            output_dir=Path(config.site_dir),
            published=len(result.notes),
            stats=stats,
        )
        if not _configure_feed(config):
            report.warnings.append(
                "no RSS feed: set url under [site] in journal.toml (the feed needs absolute links)"
            )
        if progress:
            progress("mkdocs", str(config.site_dir))
        report.warnings += _run_mkdocs_build(config, stats, post_links(result.notes, result.slugs))
    finally:
        _shutdown(config)
    feed = Path(config.site_dir) / FEED_FILE
    report.feed = feed if feed.is_file() else None
    report.feed_errors = check_feeds(Path(config.site_dir))
    report.seconds = time.perf_counter() - started
    return report


def serve_site(journal: Journal, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    """Preview the site on ``http://host:port/`` with live reload; blocks until Ctrl-C.

    Builds into a temporary folder (``site/public/`` is left alone) and
    rebuilds when a note, ``site/docs/`` or ``mkdocs.yml`` changes; notes are
    re-rendered on every rebuild, failed notes are logged and left out.

    Raises:
        SiteError: the port cannot be bound, or the first build fails.
    """
    from mkdocs.commands.build import build
    from mkdocs.livereload import LiveReloadServer

    scaffold_site(journal)
    temp_dir = tempfile.mkdtemp(prefix="journal-site-")
    serve_url = f"http://{host}:{port}/"
    log = logging.getLogger("mkdocs.journal")
    lock = threading.Lock()
    first = _load_config(journal, site_dir=temp_dir, site_url=serve_url, dev_addr=f"{host}:{port}")
    _configure_feed(first)
    first.plugins.on_startup(command="serve", dirty=False)

    def builder(config: Any = None) -> None:
        with lock:
            if config is None:
                config = _load_config(journal, site_dir=temp_dir, site_url=serve_url)
                _configure_feed(config)
            result = render_posts(journal, _posts_dir(config))
            for path, reason in result.failed:
                log.warning(f"note not published: {path}: {reason}")
            _add_home_plugin(config, site_stats(result.notes), post_links(result.notes, result.slugs))
            build(config, serve_url=serve_url)

    try:
        try:
            server = LiveReloadServer(builder=builder, host=host, port=port, root=temp_dir, mount_path="/")
        except OSError as exc:
            raise SiteError(f"cannot serve on {host}:{port}: {exc.strerror or exc}; try --port") from exc
        try:
            builder(first)
        except Exception as exc:  # shown to the user as a SiteError
            raise SiteError(f"the site did not build: {exc}") from exc
        watched = [f for f in journal_sources(journal).folders if f not in excluded_folders(journal)]
        for path in (*watched, Path(first.docs_dir), Path(first.config_file_path)):
            if path.exists():
                server.watch(str(path))
        try:
            server.serve(open_in_browser=open_browser)
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        _shutdown(first)
        shutil.rmtree(temp_dir, ignore_errors=True)


def check_feeds(output_dir: Path) -> list[str]:
    """Parse every feed the RSS plugin wrote in ``output_dir``; returns one line per invalid file.

    ``feed_*.xml`` must be well-formed XML (``xml.etree``), ``feed_*.json``
    valid JSON. An empty list means every feed parses (or there is none).
    """

    errors = []
    for path in sorted(output_dir.glob("feed_*")):
        try:
            if path.suffix == ".xml":
                ET.parse(path)
            elif path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
        except (ET.ParseError, ValueError, OSError) as exc:
            errors.append(f"{path.name}: {exc}")
    return errors


# -- MkDocs glue -------------------------------------------------------------------------------


def _load_config(journal: Journal, **overrides: Any):
    """``site/mkdocs.yml`` with the non-empty ``[site]`` values of ``journal.toml`` on top.

    The ``[site]`` texts are HTML-escaped (the theme's templates and the RSS
    channel image emit them unescaped), and the sanitizing Markdown extension
    is added unless ``[site] allow_html = true``.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    from journal_agent.site.sanitize import sanitize_extension

    cfg = journal.config
    config_file = journal.site_dir / MKDOCS_FILE
    values = {
        "site_name": escape_text(cfg.site_title) or "Journal",
        "site_url": cfg.site.url or None,
        "site_author": escape_text(cfg.site.author) or None,
        "site_description": escape_text(cfg.site.description) or None,
        **overrides,
    }
    try:
        with _quiet_mkdocs():
            config = load_config(config_file=str(config_file), **values)
    except ConfigurationError as exc:
        raise SiteError(f"{config_file}: {exc}") from exc
    except OSError as exc:
        raise SiteError(f"cannot read {config_file}: {exc.strerror or exc}") from exc
    if not cfg.site.allow_html:
        config.markdown_extensions.append(sanitize_extension())
    _linear_tags_page(config)
    _post_footer(config)
    _ask_in_nav(config)
    return config


def _ask_in_nav(config: Any) -> None:
    """Keep the Ask page in a hand-written ``nav:`` of ``mkdocs.yml`` (appended as "Ask" when missing).

    Without ``nav:`` MkDocs lists every page of ``docs/`` and the Ask page is there already.
    """
    nav = config.get("nav")
    if not isinstance(nav, list):
        return

    def mentions(entry: Any) -> bool:
        if isinstance(entry, str):
            return entry == ASK_PAGE
        if isinstance(entry, dict):
            return any(mentions(value) for value in entry.values())
        if isinstance(entry, list):
            return any(mentions(value) for value in entry)
        return False

    if not mentions(nav) and (Path(config.docs_dir) / ASK_PAGE).is_file():
        nav.append({"Ask": ASK_PAGE})


FOOTER_FEATURE = "navigation.footer"


def _post_footer(config: Any) -> None:
    """Turn on Material's footer navigation (``navigation.footer``), which links each post to its neighbours.

    The blog plugin already links its posts to each other in date order
    (``page.previous_page`` is the older post, ``next_page`` the newer one;
    ``on_nav``), and only published notes are posts, so private and draft notes
    are never linked; the theme shows those links only with this feature. Added
    here too, for ``mkdocs.yml`` files scaffolded before it was in the template.
    Pages that are not posts keep no footer links (see :func:`_add_home_plugin`).
    """
    features = config.theme.get("features")
    if isinstance(features, list) and FOOTER_FEATURE not in features:
        features.append(FOOTER_FEATURE)


def _linear_tags_page(config: Any) -> None:
    """Keep the tags page's listing out of its table of contents (Material tags ``listings_toc: false``).

    With one TOC entry per tag, Material's search plugin looks each heading id up
    by walking the whole TOC (``_find_toc_by_id``): quadratic in the number of
    distinct tags (issue 21: 10,000 tags took 344 s; 4,000 tags in 40 notes 17 s,
    8 million calls). The tags still each get a heading and an anchor on the page.
    """
    for name, plugin in config.plugins.items():
        if (name == "material/tags" or name.startswith("material/tags #")) and hasattr(plugin.config, "listings_toc"):
            plugin.config.listings_toc = False


def _posts_dir(config: Any) -> Path:
    """Where the blog plugin looks for posts (``docs/posts`` with the shipped mkdocs.yml)."""

    for plugin in config.plugins.values():
        options = getattr(plugin, "config", None)
        if type(plugin).__name__ == "BlogPlugin" and options is not None:
            post_dir = options.post_dir.format(blog=options.blog_dir)
            return Path(config.docs_dir) / os.path.normpath(post_dir)
    raise SiteError(
        f"{config.config_file_path}: the Material blog plugin is not enabled; "
        "add `- blog` under plugins (see `journal init` for a working mkdocs.yml)"
    )


def _shutdown(config: Any) -> None:
    """Run the plugins' ``on_shutdown``; the blog plugin removes a temp folder that may not exist."""

    for plugin in config.plugins.values():
        temp_dir = getattr(plugin, "temp_dir", None)
        if isinstance(temp_dir, str):
            os.makedirs(temp_dir, exist_ok=True)
    config.plugins.on_shutdown()


def _configure_feed(config: Any) -> bool:
    """Set up the RSS plugin: cache in ``site/.cache/``, a channel image, off without a site URL.

    Returns True when the feed is on.
    """

    site_dir = Path(config.config_file_path).parent
    for name, plugin in config.plugins.items():
        if name == "rss" or name.startswith("rss #"):
            # its default cache folder is relative to the working directory
            plugin.config.cache_dir = str(site_dir / ".cache" / "plugins" / "rss")
            if not config.site_url:
                plugin.config.enabled = False
            elif not plugin.config.image:
                plugin.config.image = urljoin(config.site_url, "assets/images/favicon.png")
    return bool(config.site_url)


def _add_home_plugin(config: Any, stats: SiteStats, links: dict[str, dict[str, str]] | None = None) -> None:
    """Register the in-process ``journal`` plugin (not needed by a plain ``mkdocs build``).

    ``links`` is :func:`~journal_agent.site.ask_page.post_links` of the published notes.

    * fills ``<!-- journal:stats -->`` on the home page with the day count and streak,
      and ``<!-- journal:stats-page -->`` of the stats page; once that page is rendered
      (and sanitized), puts the heatmap SVGs into their placeholders;
    * once a post's own HTML is rendered, trims its Markdown to the excerpt.
      The blog plugin converts a post's whole Markdown again for every list
      it appears in (home, archive, category) only to cut it at
      ``<!-- more -->``; trimming first keeps that work to the excerpt. Link
      reference definitions are kept so excerpt links still resolve.
    * hands the RSS plugin the post's rendered (so sanitized) excerpt as the
      feed item's description (``page.meta["rss"]["feed_description"]``, read
      by mkdocs-rss-plugin at its ``on_page_content``, priority -75, after this
      one); otherwise it converts the raw Markdown with bare Python-Markdown,
      ``<script>`` included.
    * gives each post's footer its neighbours with titles escaped once
      (:class:`_FooterLink`) and hides the footer links of every other page;
      turns a post's stray ``<h1>`` (raw HTML) into ``<h2>`` so the theme still
      writes the title as the h1;
    * escapes feed titles once: before the RSS plugin writes (:func:`_feed_text_for_rss`)
      and, as a second plugin running after it, in the JSON feed (:func:`plain_json_feeds`).
    * makes the Ask page (:mod:`journal_agent.site.ask_page`): ``<!-- journal:ask -->``
      becomes a placeholder, the placeholder (after the sanitizer) the question box with
      the post links, and ``javascripts/ask.js`` is added to the site's files.
    """
    from mkdocs.plugins import BasePlugin, event_priority

    rss_plugins = [plugin for name, plugin in config.plugins.items()
                   if (name == "rss" or name.startswith("rss #")) and plugin.config.enabled]
    feed_on = bool(rss_plugins)
    block = home_block(stats, FEED_FILE if feed_on else None)
    posts_prefix = _posts_dir(config).relative_to(Path(config.docs_dir)).as_posix() + "/"

    class JournalPlugin(BasePlugin):
        def on_page_markdown(self, markdown, *, page, config, files):
            if page.file.src_uri == "index.md" and STATS_MARKER in markdown:
                return markdown.replace(STATS_MARKER, block, 1)
            if page.file.src_uri == STATS_PAGE and STATS_PAGE_MARKER in markdown:
                return markdown.replace(STATS_PAGE_MARKER, stats_page_markdown(stats), 1)
            if page.file.src_uri == ASK_PAGE and ASK_MARKER in markdown:
                return markdown.replace(ASK_MARKER, ask_placeholder(), 1)
            return markdown

        def on_files(self, files, *, config):
            if files.get_file_from_path(ASK_PAGE) is not None and files.get_file_from_path(ASK_SCRIPT) is None:
                files.append(ask_script_file(config))
            return files

        def on_page_context(self, context, *, page, config, nav):
            # every page's <title> from an escaped meta.title, never from `page.title | striptags`
            # (which decodes entities: see sanitize.head_title)
            if page.title and not page.is_homepage and isinstance(page.meta, dict):
                page.meta["title"] = head_title(page.meta.get("title") or page.title)
            if page.file.src_uri.startswith(posts_prefix):
                page.previous_page = _footer_link(page.previous_page)
                page.next_page = _footer_link(page.next_page)
            elif isinstance(page.meta, dict):  # only posts link to neighbours: hide the footer's links
                hidden = page.meta.get("hide")
                page.meta["hide"] = [*(hidden if isinstance(hidden, list) else []), "footer"]
            return context

        @event_priority(100)  # before mkdocs-rss-plugin writes the feeds (priority 0)
        def on_post_build(self, *, config):
            for plugin in rss_plugins:
                _feed_text_for_rss(plugin)

        def on_page_content(self, html, *, page, config, files):
            if page.file.src_uri == STATS_PAGE:
                return fill_heatmaps(html, stats)
            if page.file.src_uri == ASK_PAGE:
                return fill_ask(html, links or {}, page.url)
            if page.file.src_uri.startswith(posts_prefix):
                # an h1 the Markdown did not show (raw HTML, md_in_html) would hide the title's h1
                html = _H1_TAG_RE.sub(r"<\1h2", html)
                excerpt = _HEADERLINK_RE.sub("", html.partition(EXCERPT_SEPARATOR)[0]).strip()
                if excerpt:
                    page.meta["rss"] = {"feed_description": xml_clean(excerpt)}
                if isinstance(page.markdown, str):
                    page.markdown = trim_to_excerpt(page.markdown)
            return html

    class JournalFeedText(BasePlugin):
        @event_priority(-100)  # after mkdocs-rss-plugin wrote the feeds
        def on_post_build(self, *, config):
            if rss_plugins:
                plain_json_feeds(Path(config.site_dir))

    config.plugins["journal/site"] = JournalPlugin()
    config.plugins["journal/feed-text"] = JournalFeedText()


@dataclass(frozen=True)
class _FooterLink:
    """A neighbour post as Material's footer template reads it: ``url`` and an HTML-safe ``title``.

    The template writes ``{{ page.next_page.title }}`` as it is and
    ``{{ page.next_page.title | e }}`` in an ``aria-label``; a post's title is
    already escaped HTML (``R&amp;D``), so a :class:`markupsafe.Markup` title is
    escaped exactly once in both.
    """

    url: str
    title: Any


def _footer_link(page: Any) -> _FooterLink | None:
    from markupsafe import Markup

    if page is None:
        return None
    return _FooterLink(url=page.url, title=Markup(head_title(page.meta.get("title") or page.title or "")))


def _feed_text_for_rss(plugin: Any) -> None:
    """Make mkdocs-rss-plugin's titles escape exactly once in its RSS template.

    Its template writes ``<title>{{ item.title|e }}</title>`` and
    ``{{ feed.title|e }}`` (and, unescaped, ``{{ feed.title }}`` twice), while
    our titles are already escaped HTML: ``A &lt; B`` came out as
    ``A &amp;lt; B`` (issue 21). Item titles become plain text (the template
    escapes them once; the JSON feed, written from the same items, gets plain
    text, as JSON Feed requires); the channel's title, description and author
    become :class:`markupsafe.Markup` (``|e`` leaves it as is), and
    :func:`plain_json_feeds` makes them plain in the JSON feed afterwards.
    """
    from markupsafe import Markup

    for info in getattr(plugin, "pages_to_filter", []):
        if isinstance(info.title, str):
            info.title = html.unescape(head_title(info.title))
    for feed in (getattr(plugin, "feed_created", None), getattr(plugin, "feed_updated", None)):
        for name in ("title", "description", "author"):
            value = getattr(feed, name, None)
            if isinstance(value, str):
                setattr(feed, name, Markup(head_title(value)))


def plain_json_feeds(output_dir: Path) -> None:
    """Rewrite ``feed_*.json`` so its text fields are plain text, as JSON Feed 1.1 requires.

    The feed's ``title``, ``description`` and author names, and each item's
    ``tags`` and author names, come from escaped HTML values (``R&amp;D``) and
    are decoded once (``R&D``). Item titles are plain already
    (:func:`_feed_text_for_rss`); ``content_html`` stays HTML. A file that does
    not parse is left for :func:`check_feeds` to report. Run it once, right after
    mkdocs-rss-plugin wrote the files: a second pass would decode twice. Source:
    JSON Feed 1.1, https://www.jsonfeed.org/version/1.1/ ("title … is plain text.
    HTML is not allowed").

    Raises:
        OSError: a feed file cannot be written (the build then fails with a SiteError).
    """
    for path in sorted(output_dir.glob("feed_*.json")):
        try:
            feed = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        if not isinstance(feed, dict):
            continue
        for name in ("title", "description"):
            if isinstance(feed.get(name), str):
                feed[name] = html.unescape(feed[name])
        _plain_authors(feed)
        for item in feed.get("items") or []:
            if isinstance(item, dict):
                if isinstance(item.get("tags"), list):
                    item["tags"] = [html.unescape(tag) if isinstance(tag, str) else tag for tag in item["tags"]]
                _plain_authors(item)
        write_atomic(path, json.dumps(feed), durable=False)


def _plain_authors(record: dict[str, Any]) -> None:
    for author in record.get("authors") or []:
        if isinstance(author, dict) and isinstance(author.get("name"), str):
            author["name"] = html.unescape(author["name"])


# Material writes the title as <h1> only when the content has none ("<h1" not in page.content)
_H1_TAG_RE = re.compile(r"<(/?)h1(?=[\s>/])", re.IGNORECASE)
# the toc extension's "¶" permalinks: page furniture, not part of a feed item's text
_HEADERLINK_RE = re.compile(r'<a\b[^>]*\bclass="headerlink"[^>]*>[^<]*</a>')


def _run_mkdocs_build(config: Any, stats: SiteStats, links: dict[str, dict[str, str]]) -> list[str]:
    """Run MkDocs in-process; returns its warnings. Raises SiteError when it fails."""
    from mkdocs.commands.build import build

    _add_home_plugin(config, stats, links)
    with _quiet_mkdocs() as captured:
        try:
            config.plugins.on_startup(command="build", dirty=False)
            build(config)
        except Exception as exc:  # MkDocs, its plugins or Markdown extensions
            detail = "; ".join(captured[-3:]) or f"{type(exc).__name__}: {exc}"
            raise SiteError(f"MkDocs could not build the site: {detail}") from exc
    return captured


class _quiet_mkdocs:
    """Collect ``mkdocs.*`` log records of WARNING and above instead of printing them."""

    def __enter__(self) -> list[str]:
        self.messages: list[str] = []
        messages = self.messages

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                messages.append(record.getMessage().strip().replace("\n", " "))

        self.handler = Collect(level=logging.WARNING)
        self.logger = logging.getLogger("mkdocs")
        self.propagate = self.logger.propagate
        self.logger.addHandler(self.handler)
        self.logger.propagate = False
        return messages

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate
