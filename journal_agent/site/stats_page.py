"""The site's figures: the home page's stats block and the stats page, both from :mod:`journal_agent.notes.stats`.

Every number comes from :func:`~journal_agent.notes.stats.compute_stats` (one rule
for streaks, gaps and counts) over the **published** notes only: private and
draft notes never reach this module (``render_posts`` leaves them out), so they
are neither counted nor shown. Weekly digests are published but are not learning
days: ``compute_stats`` leaves them out, and they are counted apart. The current
streak is the one ``journal stats`` gives on the day of the build: it ends on the
build day or the day before.

* The home page's ``<!-- journal:stats -->`` becomes a block with the day count,
  the current streak, the note count and a link to the stats page (:func:`home_block`).
* ``stats.md`` (scaffolded from ``templates/``) holds ``<!-- journal:stats-page -->``,
  which becomes the stats page (:func:`stats_page_markdown`): current and longest
  streak, gaps, learning days per month, categories and tags, and a calendar heatmap
  per year. Both are Markdown/HTML that MkDocs renders and the sanitizer cleans like
  any page; categories and tags are escaped text (:func:`~journal_agent.site.sanitize.escape_text`).
* The heatmaps are SVG, one per calendar year, made at build time with
  ``xml.etree.ElementTree`` (which escapes every text and attribute) like GitHub's
  contribution calendar: one square per day, weeks as columns (Monday at the top),
  darker for more notes. They contain dates and counts only, are parsed back as XML
  before use, and replace their placeholder ``<div>`` after the sanitizer has run
  (:func:`fill_heatmaps`), since the sanitizer's allow-list has no SVG shapes.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journal_agent.notes.stats import JournalStats, Streak, compute_stats
from journal_agent.site.sanitize import escape_text

if TYPE_CHECKING:
    from journal_agent.notes.model import Note

STATS_MARKER = "<!-- journal:stats -->"
STATS_PAGE_MARKER = "<!-- journal:stats-page -->"
STATS_PAGE = "stats.md"
TOP_LABELS = 30  # categories and tags listed on the stats page
TOP_GAPS = 10
CELL, STEP, LEFT, TOP = 11, 13, 30, 18  # heatmap geometry, in SVG user units (px)
_SLOT_RE = re.compile(r'<div\b[^>]*\bid="journal-heatmap-(\d{4})"[^>]*>\s*</div>')
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_HEATMAP_CSS = (
    ".journal-heatmap svg .l0{fill:var(--md-default-fg-color--lightest,#ebedf0)}"
    ".journal-heatmap svg .l1,.journal-heatmap svg .l2,.journal-heatmap svg .l3,.journal-heatmap svg .l4"
    "{fill:var(--md-primary-fg-color,#4051b5)}"
    ".journal-heatmap svg .l1{fill-opacity:.45}.journal-heatmap svg .l2{fill-opacity:.65}"
    ".journal-heatmap svg .l3{fill-opacity:.85}.journal-heatmap{overflow-x:auto}"
    ".journal-heatmap svg text{fill:var(--md-default-fg-color--light,#666);font-size:9px}"
)


@dataclass
class SiteStats:
    """The published journal's figures.

    Attributes:
        stats: :func:`~journal_agent.notes.stats.compute_stats` of the published notes as of the build day.
        day_count: the highest "Day N" of a published note (``None`` without day numbers).
        digests: published weekly digests (not learning days).
    """

    stats: JournalStats
    day_count: int | None
    digests: int = 0

    @property
    def notes(self) -> int:
        """Published learning notes (digests excluded)."""
        return self.stats.notes

    @property
    def days_journaled(self) -> int:
        return self.stats.days

    @property
    def streak(self) -> int:
        """The current streak in days (ends on the build day or the day before)."""
        return self.stats.current_streak.days

    @property
    def first(self) -> dt.date | None:
        return self.stats.first_date

    @property
    def newest(self) -> dt.date | None:
        return self.stats.last_date


def site_stats(notes: Iterable[Note], today: dt.date | None = None) -> SiteStats:
    """:class:`SiteStats` of ``notes``, the published notes (private and draft ones must not be passed)."""
    notes = list(notes)
    days = [day for n in notes for day in n.days]  # every entry's days (a log's last is not its first); a digest has none
    return SiteStats(compute_stats(notes, today=today, include_private=False), max(days, default=None),
                     sum(1 for n in notes if n.is_digest))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _item(value: str, label: str) -> str:
    return f'<div class="journal-stats__item"><strong>{value}</strong>{label}</div>'


def home_block(stats: SiteStats, feed: str | None = None) -> str:
    """What replaces ``<!-- journal:stats -->`` on the home page; ``feed`` is the RSS file name, linked when given."""
    if not stats.notes:
        return '<div class="journal-stats">No published notes yet.</div>'
    items = [_item(f"Day {stats.day_count}", "of the journey") if stats.day_count is not None
             else _item(str(stats.days_journaled), "days journaled"),
             _item(_plural(stats.streak, "day"), "current streak"),
             _item(str(stats.notes), f"note{'s' if stats.notes != 1 else ''} published")]
    if stats.newest is not None:
        items.append(_item(stats.newest.isoformat(), "latest note"))
    links = ['<a href="stats/">Streaks, gaps and calendar</a>']
    if feed:
        links.append(f'<a href="{feed}">RSS feed</a>')
    items.append(f'<div class="journal-stats__feed">{" · ".join(links)}</div>')
    return '<div class="journal-stats">\n' + "\n".join(items) + "\n</div>"


def _streak(streak: Streak) -> str:
    if not streak.days:
        return "0 days"
    return f"{_plural(streak.days, 'day')} ({streak.since} to {streak.until})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _labels(counts: dict[str, int], what: str) -> list[str]:
    if not counts:
        return [f"No {what.lower()}s."]
    shown = list(counts.items())[:TOP_LABELS]
    lines = _table([what, "Notes"], [[escape_text(name).replace("|", "&#124;"), str(n)] for name, n in shown])
    if len(counts) > TOP_LABELS:
        lines += ["", f"And {_plural(len(counts) - TOP_LABELS, what.lower())} more."]
    return lines


def stats_page_markdown(stats: SiteStats) -> str:
    """What replaces ``<!-- journal:stats-page -->`` in ``stats.md`` (see the module docstring)."""
    s = stats.stats
    if not s.notes or s.first_date is None or s.last_date is None:
        return "No published notes yet."
    lines = ['<div class="journal-stats">',
             _item(_plural(s.current_streak.days, "day"), "current streak"),
             _item(_plural(s.longest_streak.days, "day"), "longest streak"),
             _item(str(s.days), "learning days"),
             _item(str(len(s.gaps)), f"gap{'s' if len(s.gaps) != 1 else ''}"),
             _item(str(s.notes), f"note{'s' if s.notes != 1 else ''}"),
             "</div>", "", "## Learning calendar", ""]
    days_by_year = Counter(day.year for day in s.per_day)
    for year in range(s.last_date.year, s.first_date.year - 1, -1):
        lines += [f"### {year}", "", f'<div class="journal-heatmap" id="journal-heatmap-{year}"></div>', "",
                  f"{_plural(days_by_year.get(year, 0), 'learning day')} in {year}.", ""]
    missed = sum(g.days for g in s.gaps)
    lines += ["## Streaks and gaps", "",
              f"- Current streak: {_streak(s.current_streak)}, as of {s.today} (the day the site was built).",
              f"- Longest streak: {_streak(s.longest_streak)}.",
              f"- Learning days: {s.days} from {s.first_date} to {s.last_date}.",
              f"- Gaps: {len(s.gaps)}, {_plural(missed, 'missed day')} in all.", ""]
    if s.gaps:
        longest = sorted(s.gaps, key=lambda g: (-g.days, g.since))[:TOP_GAPS]
        title = "The longest gaps" if len(s.gaps) > TOP_GAPS else "Every gap"
        lines += [f"{title}:", ""] + _table(["From", "To", "Days missed"],
                                            [[str(g.since), str(g.until), str(g.days)] for g in longest]) + [""]
    lines += ["## Days per month", "", "Learning days (days with at least one note) per month.", ""]
    per_month = Counter((day.year, day.month) for day in s.per_day)
    rows = [[str(year)] + [str(per_month.get((year, m), "")) for m in range(1, 13)] + [str(days_by_year[year])]
            for year in range(s.last_date.year, s.first_date.year - 1, -1)]
    lines += _table(["Year", *_MONTHS, "Total"], rows) + [""]
    lines += ["## Topics", "", "### Categories", ""] + _labels(s.categories, "Category")
    lines += ["", "### Tags", ""] + _labels(s.tags, "Tag")
    if stats.digests:
        lines += ["", f"Also published: {_plural(stats.digests, 'weekly digest')}, not counted as learning days."]
    return "\n".join(lines) + "\n"


def heatmap_svg(per_day: dict[dt.date, int], year: int) -> str:
    """The calendar heatmap of ``year`` as an SVG document (text), one ``<rect>`` per day of the year.

    Weeks are columns from the week of 1 January (Monday on top); each rect has
    ``data-date``, ``data-count`` (notes that day) and a ``class`` ``l0``..``l4``
    (0, 1, 2, 3, 4+ notes); a day with notes has a ``<title>`` tooltip.
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = first - dt.timedelta(days=first.weekday())
    columns = (last - start).days // 7 + 1
    total = sum(per_day.get(first + dt.timedelta(days=i), 0) > 0 for i in range((last - first).days + 1))
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "class": "journal-heatmap__svg", "role": "img",
        "width": str(LEFT + columns * STEP), "height": str(TOP + 7 * STEP),
        "viewBox": f"0 0 {LEFT + columns * STEP} {TOP + 7 * STEP}",
        "aria-label": f"Learning calendar {year}: {_plural(total, 'day')} with notes"})
    ET.SubElement(svg, "style").text = _HEATMAP_CSS
    for month in range(1, 13):
        column = (dt.date(year, month, 1) - start).days // 7
        ET.SubElement(svg, "text", {"x": str(LEFT + column * STEP), "y": str(TOP - 6)}).text = _MONTHS[month - 1]
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        ET.SubElement(svg, "text", {"x": "0", "y": str(TOP + row * STEP + CELL - 2)}).text = name
    day = first
    while day <= last:
        count = per_day.get(day, 0)
        offset = (day - start).days
        rect = ET.SubElement(svg, "rect", {
            "x": str(LEFT + offset // 7 * STEP), "y": str(TOP + offset % 7 * STEP), "width": str(CELL),
            "height": str(CELL), "rx": "2", "class": f"l{min(count, 4)}",
            "data-date": day.isoformat(), "data-count": str(count)})
        if count:  # a tooltip on the days with notes only: a year of "no note" titles would double the page
            ET.SubElement(rect, "title").text = f"{day.isoformat()}: {_plural(count, 'note')}"
        day += dt.timedelta(days=1)
    return ET.tostring(svg, encoding="unicode")


def fill_heatmaps(html: str, stats: SiteStats) -> str:
    """``html`` of the rendered stats page with each heatmap placeholder replaced by its SVG.

    The heatmap's ``<div>`` carries ``data-search-exclude`` (Material's search plugin then
    leaves it out of the search index: dates and counts are no text to search).

    Raises:
        ValueError: a generated SVG does not parse as XML (never expected; checked before use).
    """
    def replace(match: re.Match[str]) -> str:
        year = int(match.group(1))
        svg = heatmap_svg(stats.stats.per_day, year)
        ET.fromstring(svg)  # the SVG is well-formed XML, or the build stops here
        return f'<div class="journal-heatmap" id="journal-heatmap-{year}" data-search-exclude>{svg}</div>'

    return _SLOT_RE.sub(replace, html)
