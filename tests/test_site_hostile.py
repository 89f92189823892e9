"""`journal site build` with hostile notes (issue 11): no leak, no executable HTML, valid feeds, no crash.

One journal holds the seed note plus every reproducer of issue 11 and some
variants of each class; it is built once and every output file is read back:
HTML is parsed (``html.parser``), RSS with ``xml.etree``, the JSON feed and
search index with ``json``. Each private or unreadable note carries its own
secret word, which must appear in no file under ``site/public`` or ``site/docs``.
"""

from __future__ import annotations

import gzip
import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_site import make_journal, write

# (case id, file under notes/, text with {s} for the secret, where the report lists it)
LEAK_CASES = [
    ("Private-key", "cap-private.md",
     "---\ntitle: {s} title\nPrivate: true\ntags: [{s}tag]\n---\n{s} body\n", "private"),
    ("DRAFT-yes", "draft-yes.md", "---\nDRAFT: yes\ncategories: [{s}cat]\n---\n# {s} heading\n\n{s} body\n", "private"),
    ("Draft-True", "draft-mixed.md", "---\nDraft: True\n---\n{s} body\n", "private"),
    ("private-string-True", "string-true.md", "---\nprivate: 'True'\n---\n{s} body\n", "private"),
    ("PRIVATE-string-YES", "string-yes.md", "---\nPRIVATE: \"YES\"\n---\n{s} body\n", "private"),
    ("published-false", "published-false.md", "---\npublished: false\n---\n{s} body\n", "private"),
    ("Published-string-false", "published-str.md", "---\nPublished: 'false'\n---\n{s} body\n", "private"),
    ("Private-folder", "Private/x.md", "# {s} title\n\n{s} body\n", "private"),
    ("PRIVATE-deep-folder", "PRIVATE/deep/y.md", "---\ntitle: {s}\n---\n{s} body\n", "private"),
    ("symlink-into-private", "link-to-private.md", None, "private"),
    ("list-front-matter", "list.md", "---\n- private: true\n---\n{s} body\n", "failed"),
    ("scalar-front-matter", "scalar.md", "---\nprivate\n---\n{s} body\n", "failed"),
    ("unclosed-front-matter", "unclosed.md", "---\nprivate: true\n\n{s} body\n", "failed"),
    ("mac-cr-front-matter", "mac-private.md", "---\rprivate: true\rtitle: {s}\r---\r# {s}\r\r{s} body\r", "private"),
    ("crlf-front-matter", "crlf-private.md", "---\r\nPrivate: yes\r\n---\r\n{s} body\r\n", "private"),
    ("timestamp-tomorrow", "bad-date.md", "---\ndate: !!timestamp tomorrow\ntitle: {s}\n---\n{s} body\n", "failed"),
]
SECRET = "Qzsecret{}x"

XSS_NOTE = (
    "---\n"
    "title: <img src=x onerror=alert(1)>\n"
    "date: 2025-09-20\n"
    "tags: ['<svg onload=alert(2)>', 'R&D', 'say \"hi\"']\n"
    "categories: ['Tips & Tricks']\n"
    "---\n"
    "Intro <script>alert(3)</script> with <b onclick=alert(4)>bold</b> and a form\x0cfeed.\n\n"
    "## Heading <img src=y onerror=alert(5)>\n\n"
    "A paragraph with attributes\n{: onmouseover=alert(6) }\n\n"
    '[a link](javascript:alert(7)) and <a href="javascript:alert(8)">another</a>\n\n'
    "<div onclick=alert(9)><svg onload=alert(10)></svg></div>\n\n"
    "Controls: \x01\x02\x1b\x0b and \ufffe end.\n"
)
NO_FRONT_MATTER_XSS = "# <svg onload=alert(11)> heading title\n\nBody text here.\n"
RAW_HOSTILE = ("<svg onload", "<img src=x onerror", "<img src=y onerror", "<script>alert", "onmouseover=alert",
               "onclick=alert", "javascript:alert")
SITE_TOML = """\
[journal]
series = "Momentum Learning"

[site]
title = "R&D <Notes>"
url = "https://journal.example.org/"
author = "The \\"Learner\\""
description = "Tips & tricks"
"""


def secret(index: int) -> str:
    return SECRET.format(index)


def add_hostile_notes(root: Path) -> None:
    """Every leak case (its own secret word each), the XSS note and a note dated by a heading only."""
    notes = root / "notes"
    for index, (_case, rel, text, _) in enumerate(LEAK_CASES):
        if text is None:  # a public-looking link to a note inside private/
            target = write(notes / "private" / "linked-target.md", f"# {secret(index)}\n\n{secret(index)} body\n")
            (notes / rel).symlink_to(target)
            continue
        path = notes / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.format(s=secret(index)).encode("utf-8"))
    write(notes / "xss.md", XSS_NOTE)
    write(notes / "heading-only.md", NO_FRONT_MATTER_XSS)


def hostile_journal(root: Path):
    from journal_agent.workspace import open_journal

    make_journal(root, private=False, broken=False)
    (root / "journal.toml").write_text(SITE_TOML, encoding="utf-8")
    (root / "site" / "mkdocs.yml").unlink()  # re-scaffolded from the new [site] values
    add_hostile_notes(root)
    return open_journal(root=root)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(journal, report) of the hostile journal, built once."""
    from journal_agent.site.build import build_site

    journal = hostile_journal(tmp_path_factory.mktemp("hostile") / "journal")
    return journal, build_site(journal)


def output_files(journal) -> list[tuple[Path, str]]:
    """(path, text) of every file under site/public and site/docs (gzip opened)."""
    files = []
    for folder in (journal.site_dir / "public", journal.site_dir / "docs"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if path.suffix == ".gz":
                    data = gzip.decompress(data)
                files.append((path, data.decode("utf-8", errors="replace")))
    return files


class Elements(HTMLParser):
    """Every start tag with its attributes, the text inside <script> elements, and JSON data blocks.

    A ``<script type="application/json">`` is a data block the browser never runs (HTML
    standard, "the script element"); its text goes to ``data_blocks``, not ``scripts``.
    """

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.data_blocks: list[str] = []
        self._script: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        if tag == "script":
            self._script = self.data_blocks if values.get("type") == "application/json" else self.scripts
        else:
            self._script = None

    def handle_endtag(self, tag):
        self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)


def executable_bits(html: str) -> list[str]:
    """Event-handler attributes, javascript: URLs and note-made scripts in ``html``."""
    found = []
    parsed = Elements(html)
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed"):
            found.append(f"<{tag}>")
    found += [f"<script>{text[:60]}" for text in parsed.scripts if "alert(" in text]
    # a data block that held "</" or "<!--" could end early, and what follows would run
    found += [f"<script type=application/json>{text[:60]}" for text in parsed.data_blocks
              if "</" in text or "<!--" in text]
    return found


# -- 1. leaks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(LEAK_CASES)), ids=[case[0] for case in LEAK_CASES])
def test_private_or_unreadable_note_appears_in_no_output_file(hostile, index):
    journal, report = hostile
    case, rel, _, where = LEAK_CASES[index]
    listed = report.skipped_private if where == "private" else [path for path, _ in report.failed]
    # The walker stores a file once, under its real path: a link to a private note is that note.
    expected = "notes/private/linked-target.md" if case == "symlink-into-private" else f"notes/{rel}"
    assert expected in listed, (case, report.skipped_private, report.failed)
    word = secret(index)
    leaked = [str(path) for path, text in output_files(journal) if word in text]
    assert not leaked, f"{case}: {word} leaked into {leaked}"


def test_the_public_notes_are_all_published(hostile):
    journal, report = hostile
    assert report.published == 3, report  # seed, xss.md, heading-only.md
    public = journal.site_dir / "public"
    assert {p.parent.name for p in public.glob("*/index.html")} >= {"day-2", "xss", "heading-only"}
    checked = [path for path, _ in output_files(journal)]
    assert len(checked) > 50
    for name in ("feed_rss_created.xml", "feed_json_created.json", "sitemap.xml", "tags.json"):
        assert public / name in checked
    assert public / "search" / "search_index.json" in checked


def test_unreadable_front_matter_is_named_with_its_reason(hostile):
    _, report = hostile
    reasons = dict(report.failed)
    assert "mapping" in reasons["notes/list.md"] and "mapping" in reasons["notes/scalar.md"]
    assert "never closed" in reasons["notes/unclosed.md"]
    assert "notes/bad-date.md" in reasons


# -- 2. executable HTML --------------------------------------------------------------------------


def test_no_executable_html_from_a_note_in_any_page(hostile):
    journal, _ = hostile
    pages = [(path, text) for path, text in output_files(journal)
             if path.suffix == ".html" and "public" in path.parts]
    assert len(pages) > 10
    for path, text in pages:
        assert not executable_bits(text), (path, executable_bits(text))
        lowered = text.lower()
        for raw in RAW_HOSTILE:
            assert raw not in lowered, f"{raw} emitted raw in {path}"


def test_no_raw_hostile_markup_in_feeds_search_index_or_tags_export(hostile):
    """The RSS XML, search index and tags export as files; in a JSON feed, its one HTML field.

    A JSON feed's titles and tags are plain text (JSON Feed 1.1: "HTML is not allowed"), so
    ``<svg onload=...>`` there is the title's text, checked exactly in the feed tests below.
    """
    journal, _ = hostile
    public = journal.site_dir / "public"
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in
             [*public.glob("feed_*.xml"), public / "search" / "search_index.json", public / "tags.json"]]
    for path in public.glob("feed_*.json"):
        texts += [(path.name, item["content_html"]) for item in json.loads(path.read_text(encoding="utf-8"))["items"]]
    assert len(texts) > 5
    for name, text in texts:
        for raw in RAW_HOSTILE:
            assert raw not in text.lower(), f"{raw} emitted raw in {name}"


def test_hostile_title_tag_and_category_show_as_text(hostile):
    """Escaped, not dropped: the browser shows the characters the learner typed."""
    from html import unescape

    journal, _ = hostile
    public = journal.site_dir / "public"
    post = (public / "xss" / "index.html").read_text(encoding="utf-8")
    assert "<title>&lt;img src=x onerror=alert(1)&gt; - R&amp;D &lt;Notes&gt;</title>" in post
    tags = (public / "tags" / "index.html").read_text(encoding="utf-8")
    assert '<span class="md-tag">&lt;svg onload=alert(2)&gt;</span>' in tags
    assert '<span class="md-tag">R&amp;D</span>' in tags
    assert '<span class="md-tag">say &quot;hi&quot;</span>' in tags
    category = next(public.glob("category/tips*/index.html")).read_text(encoding="utf-8")
    assert "Tips &amp; Tricks" in category and "Tips & Tricks" in unescape(category)
    heading_only = (public / "heading-only" / "index.html").read_text(encoding="utf-8")
    assert "<title>&lt;svg onload=alert(11)&gt; heading title - " in heading_only
    index = json.loads((public / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"]}
    assert "&lt;img src=x onerror=alert(1)&gt;" in titles  # Material's search shows titles as HTML


def test_body_keeps_its_text_without_its_scripts(hostile):
    journal, _ = hostile
    post = (journal.site_dir / "public" / "xss" / "index.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" in post and "A paragraph with attributes" in post and ">another</a>" in post
    assert "alert(3)" not in post, "a script's text is removed with the script"
    assert "form\nfeed" in post and "\x0c" not in post and "\x01" not in post


def test_generated_post_front_matter_is_escaped_yaml(hostile):
    import yaml

    journal, _ = hostile
    text = (journal.site_dir / "docs" / "posts" / "xss.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert meta["tags"] == ["&lt;svg onload=alert(2)&gt;", "R&amp;D", "say &quot;hi&quot;"]
    assert meta["categories"] == ["Tips &amp; Tricks"]


def test_a_newline_in_a_file_name_cannot_add_front_matter(tmp_path):
    import datetime as dt

    import yaml

    from journal_agent.notes.model import Note
    from journal_agent.site.render import post_text

    note = Note(path=tmp_path / "x.md", rel_path="notes/x\ntitle: <script>alert(1)</script>\ny.md", title="T",
                date=dt.date(2025, 1, 1), date_source="date", modified=dt.datetime(2025, 1, 1), categories=[],
                tags=[], day=None, body="Body.\n")
    meta = yaml.safe_load(post_text(note, "x").split("---\n")[1])
    assert meta["title"] == "T" and set(meta) == {"title", "date", "slug", "categories", "tags"}


# -- 3. feeds ------------------------------------------------------------------------------------


def test_every_feed_parses_and_carries_the_values(hostile):
    journal, report = hostile
    public = journal.site_dir / "public"
    assert report.feed_errors == []
    rss = sorted(public.glob("feed_rss_*.xml"))
    assert [p.name for p in rss] == ["feed_rss_created.xml", "feed_rss_updated.xml"]
    for path in rss:
        channel = ET.parse(path).getroot().find("channel")
        # XML text: parsing gives the values exactly as typed, each escaped once in the file (issue 21)
        assert channel.findtext("title") == "R&D <Notes>"
        assert channel.findtext("description") == "Tips & tricks"
        assert channel.findtext("managingEditor") == 'The "Learner"'
        assert channel.find("image").findtext("title") == "R&D <Notes>"
        items = {item.findtext("link"): item for item in channel.findall("item")}
        xss = items["https://journal.example.org/xss/"]
        assert xss.findtext("title") == "<img src=x onerror=alert(1)>"
        assert items["https://journal.example.org/heading-only/"].findtext("title") == (
            "<svg onload=alert(11)> heading title")
        assert {c.text for c in xss.findall("category")} == {
            "<svg onload=alert(2)>", "R&D", 'say "hi"', "Tips & Tricks"}
        for item in items.values():
            assert item.find("source").text == "R&D <Notes>"
            assert not executable_bits(item.findtext("description")), (path.name, item.findtext("description"))
        raw = path.read_text(encoding="utf-8")
        assert "&amp;lt;" not in raw and "&amp;amp;" not in raw and "&amp;quot;" not in raw, "escaped twice"
        description = xss.findtext("description")
        assert "Intro" in description and "alert(3)" not in description and "headerlink" not in description
    for path in sorted(public.glob("feed_json_*.json")):
        feed = json.loads(path.read_text(encoding="utf-8"))
        items = {item["url"]: item for item in feed["items"]}
        assert set(items) == {f"https://journal.example.org/{slug}/" for slug in ("day-2", "xss", "heading-only")}
        for item in items.values():
            assert not executable_bits(item["content_html"])
        # plain text, as JSON Feed 1.1 requires of titles: no HTML, no entities
        assert feed["title"] == "R&D <Notes>" and feed["description"] == "Tips & tricks"
        assert feed["authors"] == [{"name": 'The "Learner"'}]
        xss = items["https://journal.example.org/xss/"]
        assert xss["title"] == "<img src=x onerror=alert(1)>"
        assert items["https://journal.example.org/heading-only/"]["title"] == "<svg onload=alert(11)> heading title"
        assert sorted(xss["tags"]) == sorted(["<svg onload=alert(2)>", "R&D", 'say "hi"', "Tips & Tricks"])


def test_sitemap_is_valid_and_lists_only_public_posts(hostile):
    journal, _ = hostile
    root = ET.parse(journal.site_dir / "public" / "sitemap.xml").getroot()
    locs = {el.text for el in root.iter() if el.tag.endswith("loc")}
    assert "https://journal.example.org/xss/" in locs
    assert not [loc for loc in locs if "private" in loc.lower() or "list" in loc or "unclosed" in loc]


def test_an_invalid_feed_is_reported_not_passed_over(tmp_path):
    from journal_agent.site.build import check_feeds

    write(tmp_path / "feed_rss_created.xml", "<rss><channel><title>R&D</title></channel></rss>")
    write(tmp_path / "feed_json_created.json", '{"items": [}')
    write(tmp_path / "feed_rss_updated.xml", "<rss/>")
    errors = check_feeds(tmp_path)
    assert [e.split(":")[0] for e in errors] == ["feed_json_created.json", "feed_rss_created.xml"]


# -- 4. crashes ----------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    return make_journal(tmp_path / "journal", private=False, broken=False)


def test_old_mac_line_endings_build(small):
    from journal_agent.site.build import build_site

    write(small.notes_dir / "mac.md", "---\rtitle: Mac note\rdate: 2025-09-19\r---\r  # Mac heading\r\rOne.\r\rTwo.\r")
    write(small.notes_dir / "mac-bare.md", "# Bare mac\r\rFirst.\r\rSecond.\r")
    report = build_site(small)
    assert report.failed == [] and report.published == 3
    html = (small.site_dir / "public" / "mac" / "index.html").read_text(encoding="utf-8")
    assert "<title>Mac note - " in html and "title: Mac note" not in html, "front matter read, not shown"
    # the title is the page heading; the note's own h1 is its first section
    assert "<h1>Mac note</h1>" in html and '<h2 id="mac-heading">' in html and "<!-- more -->" in html


def test_one_bad_note_never_stops_the_others(small):
    from click.testing import CliRunner

    from journal_agent.cli.site import site

    write(small.notes_dir / "bad-date.md", "---\ndate: !!timestamp tomorrow\n---\n# Bad date\n")
    write(small.notes_dir / "good.md", "---\ndate: 2025-09-19\n---\n# Good note\n\nFine.\n")
    result = CliRunner().invoke(site, ["build"], obj={"root": str(small.root)}, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert "Built 2 note(s)" in result.output and "notes/bad-date.md" in result.output
    assert (small.site_dir / "public" / "good" / "index.html").is_file()
    assert not (small.site_dir / "public" / "bad-date").exists()


def test_a_note_that_turns_unreadable_is_unpublished(small):
    from journal_agent.site.build import build_site

    note = write(small.notes_dir / "later.md", "---\ndate: 2025-09-19\n---\n# Later\n\nQzlaterword here.\n")
    assert build_site(small).published == 2
    note.write_text("---\nprivate: true\n\nQzlaterword here.\n", encoding="utf-8")  # closing line lost
    report = build_site(small)
    assert [p for p, _ in report.failed] == ["notes/later.md"] and report.removed == ["posts/later.md"]
    assert not [p for p, text in output_files(small) if "Qzlaterword" in text]


# -- sanitizing keeps what Markdown and Material render ------------------------------------------

FEATURES_NOTE = '''---
title: Every feature
date: 2025-09-19
---
# Every feature

First paragraph with **bold**, *em*, `code`, ~~gone~~, H~2~O, <kbd>Ctrl</kbd> and https://example.org/.

!!! note "An admonition"
    Inside it.

??? tip "Details"
    Hidden.

- [x] done
- [ ] to do

| Left | Right |
|:-----|------:|
| a    | b     |

Term
:   Definition.

A footnote[^1] and an HTML abbreviation.

*[HTML]: Hyper Text Markup Language

[^1]: The note.

```python linenums="1"
def f(x):
    return x  # comment
```

`#!python print("inline")`

![alt text](https://example.org/a.png "A title")

> quoted

A styled paragraph.
{ .special #para-id }

<div markdown="1" class="grid">
**inside html**
</div>

1. one
2. two
'''


VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
IMPLIED = {"tbody"}  # a browser adds <tbody> to a table without one, as html5ever (nh3) does


def article(html: str) -> list[tuple]:
    """The <article> of a page as (tag, sorted attrs) / text tokens, entities decoded, comments left out.

    Style declarations are compared without spaces and the last ``;`` (nh3 writes ``text-align:left``).
    """

    def norm(name: str, value: str) -> str:
        return value.replace(" ", "").rstrip(";") if name == "style" else value

    class Tokens(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tokens, self.depth = [], 0

        def handle_starttag(self, tag, attrs):
            if tag == "article":
                self.depth += 1
            if self.depth and tag not in IMPLIED:
                self.tokens.append((tag, tuple(sorted((k, norm(k, v or "")) for k, v in attrs))))

        def handle_endtag(self, tag):
            if self.depth and tag not in VOID | IMPLIED:  # `<hr/>` and `<hr>` are the same element
                self.tokens.append(("/" + tag,))
            if tag == "article":
                self.depth -= 1

        def handle_data(self, data):
            if self.depth and data.strip():
                self.tokens.append((" ".join(data.split()),))

    parser = Tokens()
    parser.feed(html)
    return parser.tokens


def test_sanitizing_keeps_every_markdown_and_material_feature(tmp_path):
    from journal_agent.site.build import build_site
    from journal_agent.workspace import open_journal

    pages = {}
    for allow in (False, True):
        root = tmp_path / f"allow-{allow}"
        make_journal(root, private=False, broken=False)
        with (root / "journal.toml").open("a", encoding="utf-8") as toml:
            toml.write(f"allow_html = {str(allow).lower()}\n")
        write(root / "notes" / "features.md", FEATURES_NOTE)
        journal = open_journal(root=root)
        assert journal.config.site.allow_html is allow
        build_site(journal)
        public = journal.site_dir / "public"
        pages[allow] = {url: article((public / url / "index.html").read_text(encoding="utf-8"))
                        for url in ("features", "day-2", ".")}
    clean = pages[False]["features"]
    for expected in (("div", (("class", "admonition note"),)), ("details", (("class", "tip"),)),
                     ("input", (("checked", ""), ("disabled", ""), ("type", "checkbox"))),
                     ("abbr", (("title", "Hyper Text Markup Language"),)), ("kbd", ()), ("del", ()), ("sub", ()),
                     ("p", (("class", "special"), ("id", "para-id"))), ("dl", ()), ("sup", (("id", "fnref:1"),))):
        assert expected in clean, expected
    assert any(tag == "td" and ("style", "text-align:right") in attrs for tag, *rest in clean
               for attrs in rest), "table alignment kept"
    assert any(tag == "a" and ("href", "https://example.org/") in attrs for tag, *rest in clean for attrs in rest)
    for url in ("features", "day-2", "."):
        assert pages[False][url] == pages[True][url], f"sanitizing changed {url}"


def test_allow_html_keeps_raw_html_for_a_learner_who_wants_it(tmp_path):
    from journal_agent.site.build import build_site
    from journal_agent.workspace import open_journal

    root = tmp_path / "j"
    make_journal(root, private=False, broken=False)
    with (root / "journal.toml").open("a", encoding="utf-8") as toml:
        toml.write("allow_html = true\n")
    write(root / "notes" / "raw.md", "---\ntitle: <i>Raw</i>\n---\nA <video controls src=v.mp4></video> clip.\n")
    build_site(open_journal(root=root))
    html = (root / "site" / "public" / "raw" / "index.html").read_text(encoding="utf-8")
    assert '<video controls src=v.mp4></video>' in html
    assert "<title>&lt;i&gt;Raw&lt;/i&gt; - " in html, "titles are text even with allow_html"


def test_cli_names_an_invalid_feed_and_exits_3(small):
    """The safety net: mkdocs-rss-plugin writes ``<link>{{ feed.html_url }}</link>`` unescaped, so a
    site URL with ``&`` makes the RSS feed invalid; the build says so and exits 3 instead of 0."""
    from click.testing import CliRunner

    from journal_agent.cli.site import site

    toml = small.root / "journal.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'url = "https://journal.example.org/"', 'url = "https://journal.example.org/?a=1&b=2"'), encoding="utf-8")
    result = CliRunner().invoke(site, ["build"], obj={"root": str(small.root)}, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert "invalid feed: feed_rss_created.xml" in result.output
    assert os.path.isfile(small.site_dir / "public" / "index.html")
