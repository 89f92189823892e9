"""End to end in a real headless browser: Debian's chromium driven by Playwright.

Builds the seed note plus a few simonw/til notes, serves ``site/public/`` on a
loopback port, types a word into the Material search box, sees the seed note
in the results, opens it and saves a screenshot under the pytest tmp dir (and
to ``$JOURNAL_SITE_SCREENSHOT`` when set). Never downloads a browser: skips
with the reason when ``/usr/bin/chromium`` or the playwright package is missing.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_site import TIL, make_journal, til_subset

CHROMIUM = os.environ.get("JOURNAL_CHROMIUM", "/usr/bin/chromium")


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"no browser: {CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no browser driver: the playwright package is not installed (pip install playwright)"
    return None


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(_browser_missing() is not None, reason=_browser_missing() or "")]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def served_site(tmp_path):
    """(base URL, journal) for a freshly built site served from 127.0.0.1 on a free port."""
    from journal_agent.site.build import build_site

    rows = til_subset(per_topic=1, topics=4) if (TIL / "manifest.jsonl").is_file() else []
    journal = make_journal(tmp_path / "journal", rows)
    report = build_site(journal)
    assert report.published == 1 + len(rows)
    handler = functools.partial(_Quiet, directory=str(report.output_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", journal
    finally:
        server.shutdown()
        server.server_close()


def test_search_finds_the_note_and_opens_it(served_site, tmp_path):
    from playwright.sync_api import sync_playwright

    base, _ = served_site
    shot = tmp_path / "day-2.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(base)
            assert "Day 2" in page.inner_text(".journal-stats")

            page.click("input.md-search__input")
            page.keyboard.type("MemGPT", delay=30)
            results = page.locator(".md-search-result__item")
            results.first.wait_for(timeout=20_000)
            texts = results.all_inner_texts()
            assert any("Day 2" in text and "MemGPT" in text for text in texts), texts
            page.screenshot(path=str(tmp_path / "search.png"))

            results.first.locator("a").first.click()
            page.wait_for_url("**/day-2/**", timeout=20_000)
            assert page.title().startswith("Momentum Learning Day 2")
            assert page.locator("article h1").first.inner_text() == "Momentum Learning Day 2"  # the note's title
            assert page.locator("time").first.inner_text() == "September 18, 2025"
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    assert all(url.startswith((base, "data:")) for url in requests), "third-party request"
    extra = os.environ.get("JOURNAL_SITE_SCREENSHOT")
    if extra:
        shutil.copyfile(shot, extra)


@pytest.fixture
def served_hostile(tmp_path):
    """(base URL, report) for the hostile journal of test_site_hostile, served from 127.0.0.1."""
    from journal_agent.site.build import build_site
    from tests.test_site_hostile import hostile_journal

    report = build_site(hostile_journal(tmp_path / "journal"))
    handler = functools.partial(_Quiet, directory=str(report.output_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", report
    finally:
        server.shutdown()
        server.server_close()


def test_no_dialog_fires_on_pages_with_hostile_notes(served_hostile):
    """Every page that shows the hostile note (post, home, archive, category, tags, search results),
    hovered and clicked through: no alert() runs. A probe alert shows the listener would see one."""
    from playwright.sync_api import sync_playwright

    base, report = served_hostile
    public = report.output_dir
    urls = ["", "xss/", "heading-only/", "tags/", "archive/2025/09/", "day-2/"]
    urls += [p.parent.relative_to(public).as_posix() + "/" for p in public.glob("category/*/index.html")]
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for url in urls:
                page.goto(base + url)
                page.wait_for_load_state("load")
                for element in page.locator("article p, article h2, article a, .md-tag").all()[:40]:
                    if element.is_visible():  # onmouseover would fire here
                        element.hover(timeout=2_000)
                page.wait_for_timeout(200)
            assert dialogs == [], f"alert() ran: {dialogs}"
            page.goto(base + "xss/")
            assert page.title().startswith("<img src=x onerror=alert(1)>"), "the title is shown as text"
            assert "<svg onload=alert(2)>" in page.inner_text(".md-tags")
            page.click("input.md-search__input")
            page.keyboard.type("Intro", delay=30)
            page.locator(".md-search-result__item").first.wait_for(timeout=20_000)
            page.wait_for_timeout(500)
            assert dialogs == [], f"alert() ran: {dialogs}"
            page.evaluate("alert('probe')")
        finally:
            browser.close()
    assert dialogs == ["probe"]


def test_stats_page_is_linked_from_home_and_shows_the_heatmap(served_site, tmp_path):
    """The home page's stats block links the stats page; there the calendar heatmap is drawn: one square
    per day of each year, the filled ones exactly the published notes' dates (private notes never)."""
    from playwright.sync_api import sync_playwright

    from journal_agent.notes.journal import read_journal

    base, journal = served_site
    published = {n.date.isoformat() for n in read_journal(journal).notes if n.publishable and not n.is_digest}
    years = sorted({int(day[:4]) for day in published})
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base)
            page.locator(".journal-stats a", has_text="Streaks, gaps and calendar").click()
            page.wait_for_url("**/stats/", timeout=20_000)
            assert page.locator("article h1").first.inner_text().startswith("Stats")
            heatmaps = page.locator(".journal-heatmap svg")
            assert heatmaps.count() == years[-1] - years[0] + 1
            newest = heatmaps.first
            newest.scroll_into_view_if_needed()
            box = newest.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 60, "the heatmap is drawn"
            rects = page.locator(".journal-heatmap svg rect")
            days_in_years = sum(366 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 365
                                for y in range(years[0], years[-1] + 1))
            assert rects.count() == days_in_years
            filled = page.locator(".journal-heatmap svg rect:not(.l0)")
            assert sorted(filled.evaluate_all("els => els.map(e => e.dataset.date)")) == sorted(published)
            colour = filled.first.evaluate("e => getComputedStyle(e).fill")
            empty = page.locator(".journal-heatmap svg rect.l0").first.evaluate("e => getComputedStyle(e).fill")
            assert colour != empty, "filled days are drawn in another colour"
            page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "stats.png").stat().st_size > 10_000
