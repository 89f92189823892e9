"""`journal site build` / `serve`: the seed note plus a simonw/til subset, built and parsed.

The TIL notes are read from ../shared/corpora/simonw-til by path and copied into a
throwaway journal with ``date:`` front matter from the corpus manifest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "notes" / "2025-09-18-momentum-learning-day-2.markdown"
TIL = REPO.parent / "shared" / "corpora" / "simonw-til"
MARKER = "Zanzibarquokka"  # appears only in private/draft notes
SITE_TOML = """\
[journal]
series = "Momentum Learning"

[site]
title = "Momentum Learning"
url = "https://journal.example.org/"
author = "The Learner"
description = "Learning in public, one day at a time."
"""

needs_til = pytest.mark.skipif(not (TIL / "manifest.jsonl").is_file(), reason=f"corpus missing: {TIL}")


# -- building journals ---------------------------------------------------------------------------


def til_subset(per_topic: int = 2, topics: int = 8) -> list[dict]:
    """A fixed subset: the first notes of the first topics, plus same-named notes in two folders."""
    rows = [json.loads(line) for line in (TIL / "manifest.jsonl").read_text().splitlines() if line.strip()]
    chosen, seen = [], {}
    for row in rows:
        if len(seen) >= topics and row["topic"] not in seen:
            continue
        if seen.get(row["topic"], 0) < per_topic:
            seen[row["topic"]] = seen.get(row["topic"], 0) + 1
            chosen.append(row)
    for row in rows:
        if row["path"] in {"github/github-pages.md", "github-actions/github-pages.md"} and row not in chosen:
            chosen.append(row)
    return chosen


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_journal(root: Path, til_rows: list[dict] = (), private: bool = True, broken: bool = True):
    """A journal with the seed note, TIL copies, private/draft notes and one broken note."""
    from journal_agent import init_journal
    from journal_agent.workspace import open_journal

    write(root / "journal.toml", SITE_TOML)
    (root / "notes").mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, root / "notes" / SEED.name)
    for row in til_rows:
        body = (TIL / row["path"]).read_text(encoding="utf-8")
        write(root / "notes" / row["path"], f"---\ndate: {row['created']}\ntags: [{row['topic']}]\n---\n{body}")
    if private:
        write(root / "notes" / "secret-plans.md",
              f"---\ntitle: Secret plans\nprivate: true\ntags: [secret-tag]\n---\n# Secret\n\n{MARKER} private.\n")
        write(root / "notes" / "unfinished.md",
              f"---\ntitle: Unfinished thoughts\ndraft: true\ncategories: [Drafts]\n---\n{MARKER} draft.\n")
        write(root / "notes" / "private" / "diary.md", f"# Dear diary\n\n{MARKER} in the private folder.\n")
    if broken:
        write(root / "notes" / "broken.md", "---\ntitle: [unclosed\ndate: 2025-01-01\n---\nBody.\n")
    init_journal(root)
    # memory of the agent: must never be published
    write(root / ".journal" / "core_memory.json", json.dumps({"human": f"{MARKER} memory"}))
    return open_journal(root=root)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(journal, report) for seed + TIL subset + private notes + a broken note."""
    from journal_agent.site.build import build_site

    rows = til_subset() if (TIL / "manifest.jsonl").is_file() else []
    journal = make_journal(tmp_path_factory.mktemp("site") / "journal", rows)
    # built the day after the seed note (2025-09-18): its one-day streak is still current
    return journal, build_site(journal, today=dt.date(2025, 9, 19)), rows


@pytest.fixture
def small(tmp_path):
    """A seed-only journal (fast to rebuild)."""
    return make_journal(tmp_path / "journal", private=False, broken=False)


class Links(HTMLParser):
    """Collects hrefs, <title>, <time datetime>, and h1 text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.hrefs, self.times, self.h1, self.title = [], [], [], ""
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "time":
            self.times.append(attrs.get("datetime", ""))
        if tag in ("title", "h1"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1.append(data.strip())


def page(public: Path, url: str) -> Links:
    return Links((public / url / "index.html").read_text(encoding="utf-8"))


# -- the build -----------------------------------------------------------------------------------


def test_report_names_failed_note_and_counts(built):
    journal, report, rows = built
    assert [path for path, _ in report.failed] == ["notes/broken.md"]
    assert "YAML" in report.failed[0][1]
    assert report.published == 1 + len(rows)
    assert sorted(report.skipped_private) == ["notes/private/diary.md", "notes/secret-plans.md", "notes/unfinished.md"]
    assert len(report.rendered) == report.published and not report.unchanged
    assert report.output_dir == journal.site_dir / "public"
    assert report.feed == journal.site_dir / "public" / "feed_rss_created.xml"
    assert report.seconds > 0


def test_seed_note_page_has_title_date_and_day_slug(built):
    journal, _, _ = built
    post = journal.site_dir / "docs" / "posts" / "day-2.md"
    assert post.is_file(), "Day N notes get day-N slugs"
    html = page(journal.site_dir / "public", "day-2")
    assert html.title.startswith("Momentum Learning Day 2")
    assert html.times and all(t.startswith("2025-09-18") for t in html.times)
    # the page heading is the note's title (as `journal list` prints it); the body's own
    # (indented) h1 became the first section heading, an h2
    assert html.h1 == ["Momentum Learning Day 2"]
    body = (journal.site_dir / "public" / "day-2" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<h2 id="day-2-momentum-learning-series">Day 2\| Momentum Learning Series', body)


@needs_til
def test_every_til_note_has_a_page_with_its_title_and_date(built):
    journal, _, rows = built
    public = journal.site_dir / "public"
    posts = {p.stem: p.read_text(encoding="utf-8") for p in (journal.site_dir / "docs" / "posts").glob("*.md")}
    for row in rows:
        slug = next(s for s, text in posts.items() if f"from notes/{row['path']};" in text)
        html = page(public, slug)
        assert html.title.startswith(row["title"].split("`")[0].strip()[:20]), (row["path"], html.title)
        assert any(t.startswith(row["created"][:10]) for t in html.times), (row["path"], html.times)
    # same file name in two folders: both published, under different stable slugs
    assert ({"github-pages", "github-pages-github-actions"} <= set(posts)
            or {"github-pages", "github-pages-github"} <= set(posts))


def test_category_archive_and_tag_pages(built):
    journal, _, rows = built
    public = journal.site_dir / "public"
    for category in ("momentum_learning", "learning-journey"):
        assert any(h.endswith("day-2/") for h in page(public, f"category/{category}").hrefs)
    assert any(h.endswith("day-2/") for h in page(public, "archive/2025/09").hrefs), "archive by month"
    if rows:
        topic = rows[0]["topic"]
        assert (public / "category" / topic / "index.html").is_file()
        tags = (public / "tags" / "index.html").read_text(encoding="utf-8")
        assert f'id="tag:{topic}"' in tags
        exported = json.loads((public / "tags.json").read_text(encoding="utf-8"))
        assert topic in json.dumps(exported)


def test_search_index_holds_the_note_words(built):
    journal, _, rows = built
    index = json.loads((journal.site_dir / "public" / "search" / "search_index.json").read_text(encoding="utf-8"))
    seed_text = " ".join(d["text"] for d in index["docs"] if d["location"].startswith("day-2/"))
    assert "MemGPT" in seed_text and "convolutional" in seed_text.lower()
    if rows:
        titles = {unescape(d["title"]) for d in index["docs"]}  # Material's search shows titles as HTML
        assert rows[0]["title"] in titles


def test_rss_feed_is_valid_xml_newest_first(built):
    _journal, report, _ = built
    channel = ET.parse(report.feed).getroot().find("channel")
    assert channel.findtext("title") == "Momentum Learning"
    items = channel.findall("item")
    assert items and items[0].findtext("title") == "Momentum Learning Day 2"
    assert items[0].findtext("link") == "https://journal.example.org/day-2/"
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True)
    assert channel.find("image").findtext("url").startswith("https://journal.example.org/")


@needs_til  # ten posts a page needs the TIL notes
def test_home_page_shows_newest_notes_day_count_and_streak(built):
    journal, report, _ = built
    html = (journal.site_dir / "public" / "index.html").read_text(encoding="utf-8")
    assert "Day 2" in html and "current streak" in html
    assert report.stats.day_count == 2 and report.stats.streak == 1
    posts = re.findall(r'<a class="toclink" href="([^"#]+)"', html)  # excerpt headings link to the post
    assert posts and posts[0] == "day-2/", "newest note first"
    assert len(posts) == 10, "paginated: ten notes per page"
    assert "<!-- more -->" not in html and "Continue reading" in html  # excerpts, not whole notes
    committed = (journal.site_dir / "docs" / "index.md").read_text(encoding="utf-8")
    assert "<!-- journal:stats -->" in committed, "the stats are filled in at build time only"


def test_private_and_draft_notes_appear_in_no_output_file(built):
    journal, _, _ = built
    checked = 0
    for folder in (journal.site_dir / "public", journal.site_dir / "docs"):
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            for word in (MARKER, "Secret plans", "Unfinished thoughts", "secret-tag", "Dear diary"):
                assert word.encode() not in data, f"{word} leaked into {path}"
            checked += 1
    assert checked > 50
    assert not (journal.site_dir / "public" / "category" / "drafts").exists()


# -- incremental builds, strict, scaffold -------------------------------------------------------


@pytest.mark.slow
def test_unchanged_notes_are_not_rewritten(small):
    from journal_agent.site.build import build_site

    first = build_site(small)
    post = small.site_dir / "docs" / "posts" / "day-2.md"
    before = post.stat().st_mtime_ns
    time.sleep(0.05)
    second = build_site(small)
    assert second.rendered == [] and second.unchanged == first.rendered
    assert post.stat().st_mtime_ns == before

    write(small.notes_dir / "day-3.md", "---\ndate: 2025-09-19\n---\n# Momentum Learning Day 3\n\nMore.\n")
    third = build_site(small, today=dt.date(2025, 9, 19))
    assert third.rendered == ["notes/day-3.md"] and post.stat().st_mtime_ns == before
    assert third.stats.streak == 2 and third.stats.day_count == 3

    (small.notes_dir / "day-3.md").write_text("---\ndate: 2025-09-19\nprivate: true\n---\n# Day 3\n", encoding="utf-8")
    fourth = build_site(small)
    assert fourth.removed == ["posts/day-3.md"] and fourth.skipped_private == ["notes/day-3.md"]
    assert not (small.site_dir / "public" / "day-3").exists()


def test_strict_makes_a_failed_note_fatal(small):
    from journal_agent.errors import SiteError
    from journal_agent.site.build import build_site

    write(small.notes_dir / "bad.md", "---\n: : :\n  - [\n---\nx\n")
    with pytest.raises(SiteError, match="bad.md"):
        build_site(small, strict=True)
    assert not (small.site_dir / "public").exists(), "nothing is built with --strict"
    report = build_site(small)
    assert [p for p, _ in report.failed] == ["notes/bad.md"] and report.published == 1


def test_unreadable_note_is_named_and_the_rest_builds(small):
    from journal_agent.site.build import build_site

    (small.notes_dir / "binary.md").write_bytes(b"\x00\x01\x02 not text")
    report = build_site(small)
    assert report.failed and report.failed[0][0] == "notes/binary.md" and "binary" in report.failed[0][1]
    assert (small.site_dir / "public" / "day-2" / "index.html").is_file()


def test_no_site_url_builds_without_feed(small):
    from journal_agent.site.build import build_site
    from journal_agent.workspace import open_journal

    toml = small.root / "journal.toml"
    toml.write_text(SITE_TOML.replace('url = "https://journal.example.org/"', 'url = ""'), encoding="utf-8")
    (small.site_dir / "mkdocs.yml").unlink()  # re-scaffolded with no site_url either
    report = build_site(open_journal(root=small.root))
    assert report.feed is None and any("url" in w for w in report.warnings)
    assert (small.site_dir / "public" / "day-2" / "index.html").is_file()


def test_scaffold_writes_only_missing_files(tmp_path):
    from journal_agent import init_journal
    from journal_agent.site.build import scaffold_site

    journal = init_journal(tmp_path / "j", series="Deep Work")
    yml = journal.site_dir / "mkdocs.yml"
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load(yml.read_text(), Loader=Loader)
    assert config["site_name"] == "Deep Work"
    assert [p for p in config["plugins"] if isinstance(p, dict) and "blog" in p]
    assert (journal.site_dir / "docs" / "index.md").read_text().startswith("# Deep Work")
    yml.write_text("site_name: mine\n")
    scaffold_site(journal)
    assert yml.read_text() == "site_name: mine\n"


def test_committed_site_is_what_init_writes(tmp_path):
    """The repository's site/ is exactly the scaffold for the default journal.toml."""
    from journal_agent import init_journal
    from journal_agent.config import DEFAULT_SERIES

    journal = init_journal(tmp_path / "fresh", series=DEFAULT_SERIES)
    written = sorted(p.relative_to(journal.site_dir) for p in journal.site_dir.rglob("*") if p.is_file())
    assert Path("mkdocs.yml") in written and Path("docs/index.md") in written
    for rel in written:
        assert (REPO / "site" / rel).read_text(encoding="utf-8") == (journal.site_dir / rel).read_text(
            encoding="utf-8"), f"site/{rel} differs from what `journal init` writes"


# -- slugs, dates, stats ------------------------------------------------------------------------


def _note(rel_path, title="T", day=None, date=dt.date(2025, 1, 1)):
    from journal_agent.notes.model import Note

    return Note(path=Path("/x") / rel_path, rel_path=rel_path, title=title, date=date, date_source="date",
                modified=dt.datetime.combine(date, dt.time()), categories=[], tags=[], day=day, body="")


def test_slugs_are_stable_and_unique():
    from journal_agent.site.render import note_slugs

    notes = [_note("notes/a/readme.md"), _note("notes/b/readme.md"), _note("notes/x.md", day=4),
             _note("notes/y.md", day=4), _note("notes/tags.md"), _note("notes/Ünïcode Note!.md")]
    slugs = note_slugs(notes)
    assert slugs == {
        "notes/a/readme.md": "readme", "notes/b/readme.md": "readme-b", "notes/x.md": "day-4",
        "notes/y.md": "day-4-y", "notes/tags.md": "tags-note", "notes/Ünïcode Note!.md": "unicode-note",
    }
    assert note_slugs(list(reversed(notes))) == slugs


def test_a_log_of_many_days_is_named_by_its_file_and_counts_its_last_day(journal_dir):
    """A single-file log (Days 0-2) was published as ``day-0/`` and the site said "Day 0" (issue 18): a note of
    several learning days takes its file's slug, and the site's latest day is the highest any entry covers."""
    from journal_agent.notes.journal import read_one
    from journal_agent.site.render import note_slugs
    from journal_agent.site.stats_page import site_stats

    path = journal_dir / "notes" / "log.md"
    write(path, "# 100 Days Of Code - Log\n\n### Day 0: January 1, 2020\n\nSetup.\n\n"
                "### Day 1: January 2, 2020\n\nLoops.\n\n### Day 2: January 3, 2020\n\nLists.\n")
    from journal_agent.workspace import open_journal

    log = read_one(open_journal(root=journal_dir), path)
    assert log.days == (0, 1, 2)
    assert note_slugs([log, _note("notes/day.md", day=5)]) == {"notes/log.md": "log", "notes/day.md": "day-5"}
    assert site_stats([log], today=dt.date(2020, 1, 3)).day_count == 2


def test_day_first_jekyll_date_reaches_the_post(tmp_path):
    from journal_agent.notes.model import read_note
    from journal_agent.site.render import post_text

    path = write(tmp_path / "notes" / "n.md", "---\ntitle: Day 7\nlast_modified_at: 03-02-2025 07.05\n---\nHi.\n")
    text = post_text(read_note(path, tmp_path), "day-7")
    assert "created: 2025-02-03 07:05:00" in text and "slug: day-7" in text and "&id" not in text


def test_home_page_streak_is_the_journal_stats_streak_on_the_build_day():
    """The home page's figures come from notes/stats.py (one streak rule): the current streak ends on the
    build day or the day before, as `journal stats` says."""
    from journal_agent.site.stats_page import site_stats

    days = [dt.date(2025, 9, d) for d in (1, 2, 5, 6, 7)]
    notes = [_note(f"notes/{i}.md", date=d, day=i + 1) for i, d in enumerate(days)]
    stats = site_stats(notes, today=dt.date(2025, 9, 8))
    assert (stats.streak, stats.day_count, stats.days_journaled, stats.newest) == (3, 5, 5, dt.date(2025, 9, 7))
    assert site_stats(notes, today=dt.date(2025, 9, 9)).streak == 0  # two days without a note: broken
    assert site_stats([]).streak == 0


def test_excerpt_marker_and_heading_indent():
    from journal_agent.site.render import adjust_markdown

    text = adjust_markdown(" # Title\n\nFirst para.\n\n```\n # code\n```\n\nRest.\n")
    assert text.startswith("# Title\n\nFirst para.\n\n<!-- more -->\n") and "\n # code\n" in text
    assert adjust_markdown("Only one paragraph.\n") == "Only one paragraph.\n"
    assert adjust_markdown("A\n\n<!-- more -->\n\nB\n").count("<!-- more -->") == 1


# -- the command line ---------------------------------------------------------------------------


def test_cli_build_exit_codes(small):
    """Exit codes 0/3/1 with one-line messages. ``catch_exceptions=False``: with Click's default a
    crash (a traceback for the user) also ends with exit code 1 and would pass for "nothing built"."""
    from click.testing import CliRunner

    from journal_agent.cli import main

    runner = CliRunner()

    def run(*args, root=small.root):
        return runner.invoke(main, ["--root", str(root), "site", *args], catch_exceptions=False)

    ok = run("build")
    assert ok.exit_code == 0, ok.output
    assert "Built 1 note" in ok.output and "Day 2" in ok.output
    write(small.notes_dir / "broken.md", "---\ntitle: [x\n---\n")
    partial = run("build")
    assert partial.exit_code == 3 and "notes/broken.md" in partial.output
    strict = run("build", "--strict")
    assert strict.exit_code == 1 and "Error: 1 note(s) cannot be published (--strict): notes/broken.md" in strict.output
    missing = run("build", root=small.root / "nowhere")
    assert missing.exit_code == 1 and isinstance(missing.exception, SystemExit)
    assert missing.output == (f"Error: {small.root / 'nowhere'} is not a journal (no journal.toml); "
                              f"run `journal init {small.root / 'nowhere'}` first\n")


# -- serve --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return response.read().decode("utf-8")


@pytest.mark.slow
def test_serve_previews_and_reloads_on_note_change(small):
    port = free_port()
    code = (
        "from journal_agent.workspace import open_journal; from journal_agent.site.build import serve_site; "
        f"serve_site(open_journal(root={str(small.root)!r}), port={port})"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        home = _wait_for(lambda: fetch(base), 60, proc)
        assert "Day 2" in home and "livereload" in home
        write(small.notes_dir / "day-3.md", "---\ndate: 2025-09-19\n---\n# Momentum Learning Day 3\n\nServed.\n")
        page3 = _wait_for(lambda: fetch(base + "day-3/"), 60, proc)
        assert "Momentum Learning Day 3" in page3
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert not (small.site_dir / "public").exists(), "serve builds into a temporary folder"


def _wait_for(fn, seconds, proc):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read().decode(errors="replace")) from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
