"""The Ask page of the published site, as built (the browser tests are in test_site_ask_browser.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from journal_agent.site.ask_page import ASK_SCRIPT, SCRIPT_SOURCE, fill_ask, post_links, script_json
from tests.test_site import MARKER, make_journal, write


class Widget(HTMLParser):
    """The Ask page's script elements (type → text), ids, and the widget's data-base."""

    def __init__(self, text: str):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.ids: set[str] = set()
        self.base: str | None = None
        self._script: dict | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("id") == "journal-ask":
            self.base = attrs.get("data-base")
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def posts(self) -> dict:
        [text] = [text for attrs, text in self.scripts if attrs.get("id") == "journal-ask-posts"]
        return json.loads(text)


@pytest.fixture(scope="module")
def built_ask(tmp_path_factory):
    """(journal, report) for the seed note, a note named ask.md, a hostile title, private and draft notes."""
    from journal_agent.site.build import build_site

    root = tmp_path_factory.mktemp("ask") / "journal"
    write(root / "notes" / "til" / "ask.md", "---\ndate: 2025-09-20\n---\n# Questions worth asking\n\nBody.\n")
    write(root / "notes" / "hostile.md",
          "---\ntitle: \"</script><script>alert(1)</script> & <!-- x\"\ndate: 2025-09-21\n---\nBody.\n")
    journal = make_journal(root)
    return journal, build_site(journal)


def test_ask_page_is_built_in_the_nav_with_its_script(built_ask):
    _, report = built_ask
    public = report.output_dir
    page = (public / "ask" / "index.html").read_text(encoding="utf-8")
    widget = Widget(page)
    assert {"journal-ask", "journal-ask-form", "journal-ask-offline", "journal-ask-steps",
            "journal-ask-answer", "journal-ask-posts"} <= widget.ids
    assert widget.base == "../"
    assert [attrs["src"] for attrs, _ in widget.scripts if attrs.get("src", "").endswith("ask.js")] \
        == ["../javascripts/ask.js"]
    assert (public / ASK_SCRIPT).read_text(encoding="utf-8") == SCRIPT_SOURCE.read_text(encoding="utf-8")
    assert "journal serve" in page and "http://127.0.0.1:8283/ask/" in page  # the static-host notice
    home = (public / "index.html").read_text(encoding="utf-8")
    assert re.search(r'class="md-tabs__link"[^>]*>\s*Ask\s*<', home), "the Ask page is in the navigation"


def test_post_map_links_every_published_note_and_no_private_one(built_ask):
    journal, report = built_ask
    public = report.output_dir
    posts = Widget((public / "ask" / "index.html").read_text(encoding="utf-8")).posts()
    assert posts["notes/2025-09-18-momentum-learning-day-2.markdown"] == {
        "title": "Momentum Learning Day 2", "url": "day-2/"}
    assert posts["notes/til/ask.md"]["url"] == "ask-note/", "a note named ask.md never takes the Ask page's URL"
    assert len(posts) == report.published
    for path, post in posts.items():
        assert (public / post["url"] / "index.html").is_file(), path
    page = (public / "ask" / "index.html").read_text(encoding="utf-8")
    assert MARKER not in page and "secret-plans" not in page and "unfinished" not in page
    assert "diary" not in page


def test_a_hostile_title_stays_inside_the_json(built_ask):
    _, report = built_ask
    page = (report.output_dir / "ask" / "index.html").read_text(encoding="utf-8")
    widget = Widget(page)
    posts = widget.posts()
    assert posts["notes/hostile.md"]["title"] == "</script><script>alert(1)</script> & <!-- x"
    assert [text for attrs, text in widget.scripts if "alert(1)" in text and attrs.get("id") != "journal-ask-posts"] \
        == [], "no script element runs the title"
    [raw] = [text for attrs, text in widget.scripts if attrs.get("id") == "journal-ask-posts"]
    assert "<" not in raw and ">" not in raw and "&" not in raw


def test_script_json_and_fill_ask_from_a_nested_page():
    value = {"a</script>": {"title": "x <!-- y --> & z\u2028", "url": "a/"}}
    text = script_json(value)
    assert json.loads(text) == value and not set("<>&") & set(text)
    html = fill_ask('<p>x</p>\n<div class="journal-ask" id="journal-ask"></div>\n', post_links([], {}),
                    "deep/ask/")
    widget = Widget(html)
    assert widget.base == "../../" and widget.posts() == {}
    assert any(attrs.get("src") == "../../javascripts/ask.js" for attrs, _ in widget.scripts)
    assert fill_ask("<p>no slot</p>", {}, "ask/") == "<p>no slot</p>"


def test_the_script_never_writes_html():
    """Model output reaches the page as text only: the script uses no HTML-parsing DOM API."""
    source = SCRIPT_SOURCE.read_text(encoding="utf-8")
    for api in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser",
                "createContextualFragment", "eval(", "new Function"):
        assert api not in source, api
    assert "textContent" in source and "createTextNode" in source


def test_a_hand_written_nav_gets_the_ask_page(tmp_path):
    """A ``nav:`` in mkdocs.yml lists only what it names: the build appends the Ask page to it."""
    from journal_agent.site.build import build_site, scaffold_site

    journal = make_journal(tmp_path / "journal", private=False, broken=False)
    scaffold_site(journal)
    config = journal.site_dir / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nnav:\n  - index.md\n  - Stats: stats.md\n",
                      encoding="utf-8")
    report = build_site(journal)
    home = (report.output_dir / "index.html").read_text(encoding="utf-8")
    tabs = re.findall(r'class="md-tabs__link"[^>]*>\s*([^<]*?)\s*<', home)
    assert "Ask" in tabs and "Stats" in tabs and "Tags" not in tabs, tabs  # the nav as written, plus Ask


def test_the_built_site_and_the_build_give_one_post_url_per_note(tmp_path):
    """site/links.py: the server's map read from a built site equals the build's map; a cited entry adds its
    anchor to that URL (percent-encoded), and an unpublished note has no URL."""
    from journal_agent.site.links import built_post_links, cited_url, post_url
    from journal_agent.site.render import GENERATED_HEADER

    site = tmp_path / "site"
    (site / "docs" / "posts").mkdir(parents=True)
    for slug, path, title in (("day-2", "notes/Day 2.md", "Day 2: memory"), ("draft", "notes/draft.md", "Draft")):
        (site / "docs" / "posts" / f"{slug}.md").write_text(
            f"---\n{GENERATED_HEADER.format(source=path)}\ntitle: '{title}'\nslug: {slug}\n---\n\nText\n",
            encoding="utf-8")
    (site / "public" / "day-2").mkdir(parents=True)
    (site / "public" / "day-2" / "index.html").write_text("<h1>Day 2</h1>", encoding="utf-8")
    links = built_post_links(site)
    assert links == {"notes/Day 2.md": {"url": post_url("day-2"), "title": "Day 2: memory"}}  # draft: no page
    assert cited_url(links, "notes/Day 2.md") == "day-2/"
    assert cited_url(links, "notes/Day 2.md", "2025-09-21-rrf") == "day-2/#2025-09-21-rrf" == post_url(
        "day-2", "2025-09-21-rrf")
    assert cited_url(links, "notes/Day 2.md", "über uns") == "day-2/#%C3%BCber%20uns"
    assert cited_url(links, "notes/draft.md", "x") is None and built_post_links(tmp_path / "none") == {}
