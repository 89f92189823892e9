"""A post's page through `journal site build` (issue 20): its heading is the note's title, it links its neighbours.

One journal (the seed Day 2 note, notes before and after it, a private and a
draft note between them) is built once with the CLI; every page is parsed
(``html.parser``). The titles are the ones ``journal list --json`` prints, so
the site and the CLI are checked against each other. The feeds of the same
build are parsed for the title of a heading with entities (issue 21).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_site import MARKER, make_journal, write

NOTES = {
    # front-matter title, and a body opening with the same heading in its entity spelling
    "2025-09-17-day-1.md": "---\ntitle: 'A < B & C: day 1'\ndate: 2025-09-17\n---\n"
                           "# A &lt; B &amp; C:   day 1\n\nFirst paragraph.\n\nSecond paragraph.\n\n"
                           "<h1>Raw heading</h1>\n\n<div markdown>\n# In a div\n</div>\n",
    # no front matter title: the heading is the title; a second h1, a setext h1 and a #word line follow
    "2025-09-20-day-3.md": "---\ndate: 2025-09-20\ntags: [R&D]\n---\n# Day 3 - `pointers` & *borrowing* in C#\n\n"
                           "Intro.\n\n# Second part\n\n## Detail\n\nSetext part\n===========\n\n"
                           "#hashtag at the start of a line\n",
    # a private and a draft note between Day 1 and Day 3: never linked
    "2025-09-19-secret.md": f"---\ndate: 2025-09-19\nprivate: true\n---\n# Secret {MARKER}\n\nBody.\n",
    "2025-09-19-draft.md": f"---\ndate: 2025-09-19\ndraft: true\ntitle: Draft {MARKER}\n---\nBody.\n",
}
ORDER = ["day-1", "day-2", "day-3"]  # date order of the published notes


class PostPage(HTMLParser):
    """Headings (tag, text) inside <article>, the footer's prev/next links and <link rel=prev/next>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.footer: dict[str, dict[str, str]] = {}  # "prev"/"next" → attributes of the <a>
        self.footer_hidden: bool | None = None
        self.head_links: dict[str, str] = {}
        self.paragraphs: list[str] = []
        self._heading: str | None = None
        self._in_article = False
        self._paragraph: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        if tag == "article":
            self._in_article = True
        elif tag == "link" and values.get("rel") in ("prev", "next"):
            self.head_links[values["rel"]] = values["href"]
        elif tag == "nav" and "md-footer__inner" in classes:
            self.footer_hidden = "hidden" in values
        elif tag == "a" and "md-footer__link" in classes:
            self.footer["prev" if "md-footer__link--prev" in classes else "next"] = values
        elif self._in_article and re.fullmatch(r"h[1-6]", tag):
            self._heading = tag
            self.headings.append((tag, ""))
        elif self._in_article and tag == "p":
            self._paragraph = ""

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_article = False
        elif tag == self._heading:
            self._heading = None
        elif tag == "p" and self._paragraph is not None:
            self.paragraphs.append(self._paragraph.strip())
            self._paragraph = None

    def handle_data(self, data):
        if self._heading:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)
        if self._paragraph is not None:
            self._paragraph += data

    def h(self, tag: str) -> list[str]:
        return [" ".join(text.replace("¶", "").split()) for level, text in self.headings if level == tag]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(journal, titles by slug from `journal list --json`) after `journal site build`."""
    from click.testing import CliRunner

    from journal_agent.cli import main
    from journal_agent.workspace import open_journal

    root = tmp_path_factory.mktemp("posts") / "journal"
    make_journal(root, private=True, broken=False)
    # a mkdocs.yml scaffolded before the footer feature was in the template: the build turns it on
    yml = root / "site" / "mkdocs.yml"
    yml.write_text(re.sub(r"\n *- navigation\.footer[^\n]*", "", yml.read_text(encoding="utf-8")), encoding="utf-8")
    assert "navigation.footer" not in yml.read_text(encoding="utf-8")
    for name, text in NOTES.items():
        write(root / "notes" / name, text)
    runner = CliRunner()
    built = runner.invoke(main, ["--root", str(root), "site", "build"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    listed = runner.invoke(main, ["--root", str(root), "list", "--json"], catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    journal = open_journal(root=root)
    titles = {}
    for note in json.loads(listed.output)["notes"]:
        for post in (journal.site_dir / "docs" / "posts").glob("*.md"):
            if f"from {note['path']};" in post.read_text(encoding="utf-8"):
                titles[post.stem] = note["title"]
    assert sorted(titles) == sorted(ORDER), titles
    return journal, titles


def post_page(journal, slug: str) -> PostPage:
    return PostPage((journal.site_dir / "public" / slug / "index.html").read_text(encoding="utf-8"))


def test_post_heading_is_the_title_journal_list_prints(site):
    journal, titles = site
    assert titles["day-1"] == "A < B & C: day 1" and titles["day-3"] == "Day 3 - `pointers` & *borrowing* in C#"
    for slug, title in titles.items():
        assert post_page(journal, slug).h("h1") == [title], slug


class ExcerptTitles(HTMLParser):
    """The text of each excerpt heading link (``<a class="toclink" href="<post>/">``) of a list page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.titles: dict[str, str] = {}
        self._href: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("class") == "toclink" and "#" not in (values.get("href") or "#"):
            self._href = values["href"]
            self.titles[self._href] = ""

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._href:
            self.titles[self._href] += data


def test_excerpt_headings_on_the_home_page_are_the_titles_too(site):
    """The blog writes ``# {title}`` into each excerpt's Markdown: `code`, *stars* and C# stay text."""
    journal, titles = site
    home = ExcerptTitles((journal.site_dir / "public" / "index.html").read_text(encoding="utf-8"))
    assert {href.strip("/"): text for href, text in home.titles.items()} == titles


def test_a_body_opening_with_the_title_does_not_show_it_twice(site):
    journal, titles = site
    for slug in ("day-1", "day-3"):
        page = post_page(journal, slug)
        shown = [text for _, text in page.headings if titles[slug] in " ".join(text.split())]
        assert len(shown) == 1, (slug, page.headings)
    assert post_page(journal, "day-1").paragraphs[:2] == ["First paragraph.", "Second paragraph."]


def test_other_h1_headings_move_one_level_down(site):
    journal, _ = site
    seed = post_page(journal, "day-2")
    assert seed.h("h2")[0] == "Day 2| Momentum Learning Series"  # the note's own h1
    assert "Book part" in seed.h("h3")
    day3 = post_page(journal, "day-3")
    assert day3.h("h2") == ["Second part", "Setext part"] and day3.h("h3") == ["Detail"]
    assert "#hashtag at the start of a line" in day3.paragraphs, "a #word line is a paragraph, as in CommonMark"
    # h1s that only Python-Markdown or raw HTML make: h2 in the page, which keeps the title's h1
    assert {"Raw heading", "In a div"} <= set(post_page(journal, "day-1").h("h2"))


def test_posts_link_previous_and_next_in_date_order(site):
    journal, titles = site
    for index, slug in enumerate(ORDER):
        page = post_page(journal, slug)
        assert page.footer_hidden is False, slug
        expected = {"prev": ORDER[index - 1] if index else None,
                    "next": ORDER[index + 1] if index + 1 < len(ORDER) else None}
        for direction, neighbour in expected.items():
            link = page.footer.get(direction)
            if neighbour is None:
                assert link is None and direction not in page.head_links, (slug, direction, link)
                continue
            assert link["href"] == f"../{neighbour}/", (slug, direction, link)
            assert page.head_links[direction] == f"../{neighbour}/"
            word = "Previous" if direction == "prev" else "Next"
            # the aria-label is the title as text: escaped exactly once (the template adds `| e`)
            assert link["aria-label"] == f"{word}: {titles[neighbour]}", (slug, link)


def test_private_and_draft_notes_are_never_linked(site):
    journal, _ = site
    public = journal.site_dir / "public"
    assert sorted(p.parent.name for p in public.glob("day-*/index.html")) == ORDER
    for path in public.rglob("*.html"):
        assert MARKER not in path.read_text(encoding="utf-8"), path


def test_pages_that_are_not_posts_keep_no_footer_links(site):
    """Home, tags, stats, archive and category pages: the footer's links stay hidden (``hide: [footer]``)."""
    journal, _ = site
    public = journal.site_dir / "public"
    pages = [path for path in sorted(public.rglob("index.html")) if path.parent.name not in ORDER]
    folders = {path.relative_to(public).parts[0] for path in pages if path != public / "index.html"}
    assert {"tags", "stats", "category", "archive"} <= folders
    for path in pages:
        page = PostPage(path.read_text(encoding="utf-8"))
        assert page.footer_hidden in (True, None) and (page.footer_hidden or not page.footer), path
    assert PostPage((public / "index.html").read_text(encoding="utf-8")).footer_hidden is True


def test_feed_titles_are_the_titles_escaped_once(site):
    """RSS: the raw XML escapes ``<`` and ``&`` once and parses to the title; JSON Feed: plain text."""
    journal, titles = site
    public = journal.site_dir / "public"
    for path in sorted(public.glob("feed_rss_*.xml")):
        raw = path.read_text(encoding="utf-8")
        assert "<title>A &lt; B &amp; C: day 1</title>" in raw and "&amp;lt;" not in raw, path.name
        items = ET.parse(path).getroot().find("channel").findall("item")
        assert sorted(item.findtext("title") for item in items) == sorted(titles.values())
    for path in sorted(public.glob("feed_json_*.json")):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert sorted(item["title"] for item in feed["items"]) == sorted(titles.values())
        assert ["R&D"] in [item["tags"] for item in feed["items"]]


@pytest.mark.parametrize("body, title, expected", [
    ("# Same\n\nText.\n", "same", "Text.\n"),  # letter case and spacing ignored
    ("## Same\n\nText.\n", "Same", "Text.\n"),  # an opening heading of any level
    ("Same\n\nText.\n", "Same", "Text.\n"),  # a first paragraph (the first line of a .txt note)
    ("# Other\n\n## Sub\n\n###### Six\n", "T", "## Other\n\n### Sub\n\n###### Six\n"),
    ("Other\n=====\n\nSub\n---\n\nText.\n", "T", "Other\n-----\n\n### Sub\n\nText.\n"),
    ("## Only h2\n\nText.\n", "T", "## Only h2\n\nText.\n"),  # no h1 left: nothing moves
    ("Text.\n\n```\n# code\n```\n", "T", "Text.\n\n```\n# code\n```\n"),
    ("> # Quoted\n\nText.\n", "T", "> ## Quoted\n\nText.\n"),
])
def test_adjust_markdown_title_and_heading_levels(body, title, expected):
    from journal_agent.site.render import adjust_markdown

    assert adjust_markdown(body, title=title).replace("<!-- more -->\n\n", "") == expected


def test_twenty_thousand_headings_all_move():
    """Every heading of a long note moves (one pass over the tokens; issue 21 asks for linear work)."""
    from journal_agent.site.render import adjust_markdown

    body = "".join(f"# H{i}\n\nText {i}.\n\n" for i in range(20_000))
    text = adjust_markdown(body, title="T")
    assert text.count("\n## H") == 20_000 - 1 and text.startswith("## H0")


def test_the_committed_mkdocs_yml_turns_the_footer_on():
    from journal_agent.site.build import FOOTER_FEATURE, TEMPLATES

    assert f"- {FOOTER_FEATURE}" in (TEMPLATES / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"- {FOOTER_FEATURE}" in (Path(__file__).resolve().parent.parent / "site" / "mkdocs.yml").read_text()
