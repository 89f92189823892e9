"""The site's templates with hostile values in every field (issue 21): each output context parsed.

One journal whose site title, author, description, note titles, headings,
categories and tags are all hostile, built once. Every HTML file is parsed
(``html.parser``) and checked per context: the text of ``<title>``, attribute
values, JSON in ``<script>`` tags; the RSS feed with ``xml.etree`` and the JSON
feed and search index with ``json``. A payload that escapes its context shows
as a ``<script>`` element holding ``alert(``, an ``on*`` attribute, or a
``<title>`` that ends early.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_site import make_journal, write

PAYLOADS = [
    "</title><script>alert(1)</script>",
    '"><script>alert(2)</script>',
    "'><svg onload=alert(3)>",
    "</script><script>alert(4)</script>",
    "&lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;",  # entities, which `striptags` decodes
    "<!-- x --><img src=x onerror=alert(6)>",
    "]]><script>alert(7)</script>",
    "{{ 7*7 }}{% raw %}<script>alert(8)</script>",
]
FIELDS = ("site title", "site author", "site description", "note title", "heading", "category", "tag")


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from journal_agent.site.build import build_site
    from journal_agent.workspace import open_journal

    root = tmp_path_factory.mktemp("templates") / "journal"
    make_journal(root, private=False, broken=False)
    (root / "journal.toml").write_text(
        '[journal]\nseries = "Momentum Learning"\n[site]\n'
        f'title = {_toml("T" + PAYLOADS[0])}\nurl = "https://journal.example.org/"\n'
        f'author = {_toml("A" + PAYLOADS[1])}\ndescription = {_toml("D" + PAYLOADS[3])}\n', encoding="utf-8")
    (root / "site" / "mkdocs.yml").unlink()  # re-scaffolded from the hostile [site] values
    for index, payload in enumerate(PAYLOADS):
        write(root / "notes" / f"front-{index}.md",
              f"---\ntitle: {json.dumps('N' + payload)}\ndate: 2025-09-{10 + index:02d}\n"
              f"categories: [{json.dumps('C' + payload)}]\ntags: [{json.dumps('G' + payload)}]\n---\n"
              "Body text.\n\nMore text.\n")
        write(root / "notes" / f"heading-{index}.md", f"# H{payload}\n\nBody text.\n")
    journal = open_journal(root=root)
    report = build_site(journal)
    assert not report.failed and not report.feed_errors, report
    return journal


class Page(HTMLParser):
    """Start tags with attributes, the text of each <title> and each <script>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.titles: list[str] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        if tag in ("title", "script") and self._in is None:
            self._in = tag
            if tag == "title":
                self.titles.append("")
            else:
                self.scripts.append((values, ""))

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.titles[-1] += data
        elif self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def html_pages(journal) -> list[tuple[Path, Page]]:
    public = journal.site_dir / "public"
    return [(path, Page(path.read_text(encoding="utf-8"))) for path in sorted(public.rglob("*.html"))]


def test_every_page_was_checked(built):
    pages = html_pages(built)
    names = {path.relative_to(built.site_dir / "public").parts[0] for path, _ in pages}
    assert "category" in names and "tags" in names and len(pages) > 20


def test_title_element_holds_the_whole_title_as_text(built):
    for path, page in html_pages(built):
        head_titles = [t for t in page.titles if " - T" in t or t.startswith("T")]
        assert len(head_titles) == 1, (path, page.titles)
        # the site name, as text, ends the title: nothing broke out of <title> before it
        assert head_titles[0].endswith("T" + PAYLOADS[0]), (path, head_titles[0])


def test_category_and_tag_pages_name_the_value_as_text_in_title(built):
    titles = {t for _, page in html_pages(built) for t in page.titles}
    for payload in PAYLOADS:
        expected = unescape(payload) if payload.startswith("&") else payload
        assert f"C{expected} - T{PAYLOADS[0]}" in titles or f"C{payload} - T{PAYLOADS[0]}" in titles, payload


@pytest.mark.parametrize("context", ["script elements", "attributes", "json in script"])
def test_no_payload_escapes_its_context(built, context):
    found = []
    for path, page in html_pages(built):
        if context == "script elements":
            # a JSON data block is never run (the "json in script" case checks that it cannot end early)
            found += [(path, text[:80]) for attrs, text in page.scripts
                      if "alert(" in text and attrs.get("type") != "application/json"]
        elif context == "attributes":
            for tag, attrs in page.tags:
                found += [(path, tag, name) for name in attrs if name.startswith("on")]
                found += [(path, tag, name) for name, value in attrs.items()
                          if name in ("href", "src") and value.strip().lower().startswith("javascript:")]
        else:
            for attrs, text in page.scripts:
                if attrs.get("type") == "application/json":
                    json.loads(text)  # parses: the JSON did not end early
                    assert "</" not in text, (path, text[:80])
    assert not found, found[:5]


def test_feeds_parse_and_carry_every_value(built):
    public = built.site_dir / "public"
    channel = ET.parse(public / "feed_rss_created.xml").getroot().find("channel")
    items = channel.findall("item")
    # parsed XML text and JSON Feed plain text: each title exactly as the learner typed it (issue 21)
    titles = {item.findtext("title") for item in items}
    assert channel.findtext("title") == "T" + PAYLOADS[0]
    for payload in PAYLOADS:
        assert f"N{payload}" in titles, (payload, titles)
    categories = {c.text for item in items for c in item.findall("category")}
    assert f"C{PAYLOADS[0]}" in categories and f"G{PAYLOADS[2]}" in categories
    feed = json.loads((public / "feed_json_created.json").read_text(encoding="utf-8"))
    assert len(feed["items"]) == len(items)
    assert feed["title"] == "T" + PAYLOADS[0] and feed["authors"] == [{"name": "A" + PAYLOADS[1]}]
    assert {item["title"] for item in feed["items"]} == titles
    assert f"C{PAYLOADS[4]}" in {tag for item in feed["items"] for tag in item["tags"]}
    json.loads((public / "search" / "search_index.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("heading, text", [
    ("A &lt; B &amp; C", "A < B & C"),
    ("&#60;x&#62; &quot;q&quot;", '<x> "q"'),
    ("Caf&eacute; &#x2014; notes", "Café — notes"),
])
def test_a_heading_with_entities_is_its_text_escaped_once(tmp_path, heading, text):
    from journal_agent.notes.model import read_note
    from journal_agent.site.sanitize import escape_text, head_title

    note = read_note(write(tmp_path / "notes" / "n.md", f"# {heading}\n\nBody.\n"), tmp_path)
    assert note.title == text
    page = Page(f"<title>{head_title(escape_text(note.title))}</title>")  # as the build writes it
    assert page.titles == [text]
