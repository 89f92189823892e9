"""The site's stats page and home-page figures: numbers from notes/stats.py, a heatmap SVG, nothing private.

A journal with a gap (Days 1-3 on 1-3 September 2025, Days 4-5 on 5-6 September), a
private note and a draft on the gap day, and a weekly digest of that week, built as
of 7 September 2025.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from tests.support.journals import write
from tests.test_site import SITE_TOML

SVG = "{http://www.w3.org/2000/svg}"
SECRET = "Quetzalsecret"  # appears only in the private and draft notes
LEARNING_DATES = [dt.date(2025, 9, d) for d in (1, 2, 3, 5, 6)]
BUILD_DAY = dt.date(2025, 9, 7)


def gap_journal(root):
    from journal_agent import init_journal
    from journal_agent.workspace import open_journal

    write(root / "journal.toml", SITE_TOML)
    for day, date in enumerate(LEARNING_DATES, start=1):
        tags = "[rag, bm25]" if day % 2 else "[rag]"
        write(root / "notes" / f"{date}-day-{day}.md",
              f"---\ntitle: Momentum Learning Day {day}\ndate: {date}\ncategories: [Learning Journey]\n"
              f"tags: {tags}\n---\n# Day {day}\n\nStudied retrieval, part {day}.\n")
    write(root / "notes" / "secret.md", f"---\ntitle: Secret\ndate: 2025-09-04\nprivate: true\n"
                                        f"categories: [{SECRET}Cat]\ntags: [{SECRET}]\n---\n{SECRET}\n")
    write(root / "notes" / "draft.md", f"---\ntitle: Draft\ndate: 2025-09-04\ndraft: true\n"
                                       f"tags: [{SECRET}Draft]\n---\n{SECRET}\n")
    write(root / "notes" / "odd.md", "---\ntitle: Odd labels\ndate: 2025-09-06\n"
                                     "categories: ['<img src=x onerror=alert(1)>']\ntags: ['a|b']\n---\nText.\n")
    init_journal(root)
    return open_journal(root=root)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(journal, report, stats page HTML) for the gap journal with the week's digest, built on 7 September."""
    from journal_agent.digest import make_digest
    from journal_agent.site.build import build_site

    journal = gap_journal(tmp_path_factory.mktemp("stats") / "journal")
    make_digest(journal, dt.date(2025, 9, 3), today=BUILD_DAY)
    report = build_site(journal, today=BUILD_DAY)
    html = (journal.site_dir / "public" / "stats" / "index.html").read_text(encoding="utf-8")
    return journal, report, html


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
            if "journal-heatmap__svg" in svg]


def test_stats_page_numbers_for_a_journal_with_a_gap(built):
    _, report, html = built
    text = _text(html)
    assert "2 days current streak" in text and "3 days longest streak" in text
    assert "5 learning days" in text and "1 gap" in text
    assert "Current streak: 2 days (2025-09-05 to 2025-09-06), as of 2025-09-07" in text
    assert "Longest streak: 3 days (2025-09-01 to 2025-09-03)" in text
    assert "Gaps: 1, 1 missed day in all" in text
    assert re.search(r"<td>2025-09-04</td>\s*<td>2025-09-04</td>\s*<td>1</td>", html), "the gap's row"
    months = re.search(r"<td>2025</td>((?:\s*<td>[^<]*</td>){13})", html).group(1)
    assert re.findall(r"<td>([^<]*)</td>", months) == ["", "", "", "", "", "", "", "", "5", "", "", "", "5"]
    assert re.search(r"<td>Learning Journey</td>\s*<td>5</td>", html)
    assert re.search(r"<td>rag</td>\s*<td>5</td>", html) and re.search(r"<td>bm25</td>\s*<td>3</td>", html)
    assert "Also published: 1 weekly digest, not counted as learning days." in text
    # the same figures reach the build report and the home page, from the same rule
    assert (report.stats.streak, report.stats.stats.longest_streak.days, report.stats.digests) == (2, 3, 1)


def test_the_private_and_draft_notes_on_the_gap_day_count_nowhere(built):
    journal, _, html = built
    assert SECRET not in html
    svg = _svgs(html)[0]
    assert svg.find(f".//{SVG}rect[@data-date='2025-09-04']").get("data-count") == "0"
    for path in (journal.site_dir / "public").rglob("*.html"):
        assert SECRET not in path.read_text(encoding="utf-8"), path


def test_heatmap_svg_parses_and_has_one_rect_per_day(built):
    _, _, html = built
    svgs = _svgs(html)
    assert len(svgs) == 1, "one calendar year"
    rects = svgs[0].findall(f"{SVG}rect")
    assert len(rects) == 365
    assert [r.get("data-date") for r in rects] == [str(dt.date(2025, 1, 1) + dt.timedelta(days=i)) for i in range(365)]
    filled = {r.get("data-date"): int(r.get("data-count")) for r in rects if r.get("class") != "l0"}
    assert filled == {"2025-09-01": 1, "2025-09-02": 1, "2025-09-03": 1, "2025-09-05": 1, "2025-09-06": 2}
    assert svgs[0].get("aria-label") == "Learning calendar 2025: 5 days with notes"


def test_heatmap_stays_out_of_the_search_index(built):
    """Material's search plugin skips elements with ``data-search-exclude`` (material/plugins/search/plugin.py):
    the calendar's dates and counts would otherwise be hundreds of search entries' worth of noise."""
    import json

    journal, _, html = built
    index = json.loads((journal.site_dir / "public" / "search" / "search_index.json").read_text(encoding="utf-8"))
    stats = " ".join(d["text"] for d in index["docs"] if d["location"].startswith("stats/"))
    assert "longest streak" in stats, "the page itself is searchable"
    assert "2025-09-02: 1 note" in html and "2025-09-02" not in stats and "Wed" not in stats.split()


def test_heatmap_weeks_are_columns_monday_on_top():
    from journal_agent.site.stats_page import CELL, LEFT, STEP, TOP, heatmap_svg

    svg = ET.fromstring(heatmap_svg({dt.date(2024, 2, 29): 5}, 2024))
    rects = svg.findall(f"{SVG}rect")
    assert len(rects) == 366  # a leap year
    first = rects[0]  # 2024-01-01 was a Monday: first column, top row
    assert (first.get("x"), first.get("y")) == (str(LEFT), str(TOP))
    sunday = svg.find(f"{SVG}rect[@data-date='2024-01-07']")
    assert (sunday.get("x"), sunday.get("y")) == (str(LEFT), str(TOP + 6 * STEP))
    leap = svg.find(f"{SVG}rect[@data-date='2024-02-29']")
    assert leap.get("class") == "l4" and leap.find(f"{SVG}title").text == "2024-02-29: 5 notes"
    assert int(leap.get("x")) == LEFT + 8 * STEP and leap.get("width") == str(CELL)
    columns = {r.get("x") for r in rects}
    assert len(columns) == 53  # 1 January to 31 December 2024 span 53 Monday-first weeks


def test_labels_are_escaped_text(built):
    _, _, html = built
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert re.search(r"<td>a(\||&#124;)b</td>\s*<td>1</td>", html), "a | in a tag stays inside its cell"


def test_home_page_links_the_stats_page(built):
    journal, _, _ = built
    home = (journal.site_dir / "public" / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<div class="journal-stats">.*?</div>\s*</div>', home, re.DOTALL).group(0)
    assert '<a href="stats/">' in block and "2 days</strong>current streak" in block
    assert "6 notes published" in _text(block)  # five learning days, two notes on the 6th; no digest


def test_digest_is_a_post_in_its_category_and_in_the_feed(built):
    journal, report, _ = built
    public = journal.site_dir / "public"
    post = public / "weekly-digest-2025-w36" / "index.html"
    assert post.is_file()
    assert "Weekly digest 2025-W36" in post.read_text(encoding="utf-8")
    category = (public / "category" / "weekly-digest" / "index.html").read_text(encoding="utf-8")
    assert "weekly-digest-2025-w36/" in category
    assert "day-1/" not in category, "only digests in the digest category"
    channel = ET.parse(public / "feed_rss_created.xml").getroot().find("channel")
    items = {i.findtext("title"): [c.text for c in i.findall("category")] for i in channel.findall("item")}
    assert "Weekly Digest" in items["Weekly digest 2025-W36"]
    assert report.feed_errors == []


def test_stats_page_without_notes(tmp_path):
    from journal_agent import init_journal
    from journal_agent.site.build import build_site

    journal = init_journal(tmp_path / "empty")
    report = build_site(journal)
    html = (journal.site_dir / "public" / "stats" / "index.html").read_text(encoding="utf-8")
    assert "No published notes yet." in html and report.published == 0
