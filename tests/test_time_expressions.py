"""Days, dates, weeks and ranges named in questions (find_time_window, find_day_number)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from journal_agent.notes.days import find_day_number
from journal_agent.notes.time_expressions import find_time_window

TODAY = dt.date(2025, 9, 27)  # a Saturday, the day after the learner journal's weekly review


@pytest.mark.parametrize("question, since, until, kind, rest", [
    # one day
    ("What did I do on September 23, 2025?", "2025-09-23", "2025-09-23", "day", "What did I do?"),
    ("What did I do on 2025-09-23?", "2025-09-23", "2025-09-23", "day", "What did I do?"),
    ("What did I do on 2020/11/17?", "2020-11-17", "2020-11-17", "day", "What did I do?"),  # slashes (an-date-08)
    ("what did I study on Sept 21st 2025", "2025-09-21", "2025-09-21", "day", "what did I study"),
    ("What did I work on on 24 September 2025?", "2025-09-24", "2025-09-24", "day", "What did I work on?"),
    ("What did I study on the 17th of September?", "2025-09-17", "2025-09-17", "day", "What did I study?"),
    ("What was I doing on September 25?", "2025-09-25", "2025-09-25", "day", "What was I doing?"),
    ("notes from December 30", "2024-12-30", "2024-12-30", "day", "notes"),  # the latest one not after today
    ("What did I write yesterday?", "2025-09-26", "2025-09-26", "day", "What did I write?"),
    ("What did I learn the day before yesterday?", "2025-09-25", "2025-09-25", "day", "What did I learn?"),
    ("What did I learn last Monday?", "2025-09-22", "2025-09-22", "day", "What did I learn?"),
    ("What did I learn on Wednesday?", "2025-09-24", "2025-09-24", "day", "What did I learn?"),
    ("what did I read last Saturday", "2025-09-20", "2025-09-20", "day", "what did I read"),  # not today
    ("what did I learn 3 days ago", "2025-09-24", "2025-09-24", "day", "what did I learn"),
    # weeks
    ("What did I learn last week?", "2025-09-15", "2025-09-21", "week", "What did I learn?"),
    ("What did I learn this week?", "2025-09-22", "2025-09-27", "week", "What did I learn?"),
    ("What did I do last weekend?", "2025-09-20", "2025-09-21", "week", "What did I do?"),
    ("the first week of September", "2025-09-01", "2025-09-07", "week", ""),
    ("What did I study in the third week of September 2025?", "2025-09-15", "2025-09-21", "week",
     "What did I study?"),
    ("the last week of February 2024", "2024-02-23", "2024-02-29", "week", ""),
    ("notes from the week of September 24, 2025", "2025-09-22", "2025-09-28", "week", "notes"),
    # quarters and ranges
    ("sqlite in Q1 2021", "2021-01-01", "2021-03-31", "quarter", "sqlite"),
    ("what did I learn in the third quarter of 2020", "2020-07-01", "2020-09-30", "quarter", "what did I learn"),
    ("between March and April 2021 what did I do", "2021-03-01", "2021-04-30", "range", "what did I do"),
    ("docker from November 2020 to February 2021", "2020-11-01", "2021-02-28", "range", "docker"),
    ("between November and February 2021", "2020-11-01", "2021-02-28", "range", ""),  # the first month is earlier
    ("notes from 2025-09-18 to 2025-09-20", "2025-09-18", "2025-09-20", "days", "notes"),
    ("Which notes did I write between September 17 and September 19, 2025?", "2025-09-17", "2025-09-19",
     "days", "Which notes did I write?"),
    ("what did I learn in the last 10 days", "2025-09-17", "2025-09-27", "days", "what did I learn"),
    ("what did I learn in the past 2 months", "2025-07-29", "2025-09-27", "range", "what did I learn"),
    ("March to May 2021 docker", "2021-03-01", "2021-05-31", "range", "docker"),
    ("between 2019 and 2020", "2019-01-01", "2020-12-31", "range", ""),
    # months and wider stay as they were
    ("Docker compose networks in March 2021", "2021-03-01", "2021-03-31", "month", "Docker compose networks"),
    ("what did I do in 2019", "2019-01-01", "2019-12-31", "year", "what did I do"),
    ("sqlite tricks in early 2021", "2021-01-01", "2021-04-30", "season", "sqlite tricks"),
    # a hyphen between the part and the year (benchmarks/til_fresh_b.jsonl fb30, written blind)
    ("In mid-2024, how did I upgrade Postgres.app?", "2024-05-01", "2024-08-31", "season",
     "how did I upgrade Postgres.app?"),
    ("what did I learn early last year", "2024-01-01", "2024-04-30", "season", "what did I learn"),
    ("docker at the end of this year", "2025-10-01", "2025-12-31", "season", "docker"),
])
def test_time_window(question, since, until, kind, rest):
    window = find_time_window(question, TODAY)
    assert window is not None, question
    assert (window.since.isoformat(), window.until.isoformat(), window.kind) == (since, until, kind)
    assert window.query == rest


@pytest.mark.parametrize("question", [
    "How do I use may in python",
    "How did I format dates like 2025-13-45 in jq?",  # not a real day
    "How did I format dates like 2025/13/45 in jq?",
    "What did I learn about cron day-of-week fields?",
    "what about December?",
])
def test_no_time_window(question):
    assert find_time_window(question, TODAY) is None


@pytest.mark.parametrize("question, day, rest", [
    ("What did I study on Day 4?", 4, "What did I study?"),
    ("What was Day 2 about?", 2, "What was about?"),
    ("What did I learn on day five?", 5, "What did I learn?"),
    ("on day 12 what did I read", 12, "what did I read"),
    ("Summarize day seven for me", 7, "Summarize for me"),
    ("day twenty-one", 21, ""),
    ("How did my first day go?", 1, "How did go?"),
    ("what did I do on the 3rd day", 3, "what did I do"),
    ("Day #8 notes", 8, "notes"),
])
def test_day_number(question, day, rest):
    found = find_day_number(question)
    assert found is not None and (found.day, found.query) == (day, rest)


@pytest.mark.parametrize("question", [
    "the first day of September",  # a date, not a learning day
    "How do I run a cron job every day 5 times",
    "What did I learn yesterday?",
    "a 30 day free trial",
    "Day 3-5 of the course",
])
def test_no_day_number(question):
    assert find_day_number(question) is None


# ------------------------------------------------------------------ issue 18: the journal's own structure
from journal_agent.notes.time_expressions import find_day_span, find_event_window, find_order  # noqa: E402

SPAN_2025 = (dt.date(2025, 3, 1), dt.date(2025, 9, 30))  # a 2025 journal


@pytest.mark.parametrize("question, today, since", [
    ("What did I learn on June 16th?", dt.date(2026, 12, 7), "2025-06-16"),  # not 2026: the journal is 2025's
    ("What did I do on the 3rd of March?", dt.date(2026, 1, 2), "2025-03-03"),
    ("What did I study in May?", dt.date(2027, 8, 1), "2025-05-01"),
    ("the first week of April", dt.date(2026, 12, 7), "2025-04-01"),
    ("what did I learn in Q2", dt.date(2026, 12, 7), "2025-04-01"),
    ("between June 1 and June 3", dt.date(2026, 12, 7), "2025-06-01"),
    ("What did I learn on December 24?", dt.date(2026, 12, 7), "2024-12-24"),  # outside: the nearest (67 d)
])
def test_a_yearless_date_takes_the_year_inside_the_journals_span(question, today, since):
    window = find_time_window(question, today, SPAN_2025)
    assert window is not None and window.since.isoformat() == since, question
    asked = []
    lazy = find_time_window("What did I learn last week?", today, lambda: asked.append(1) or SPAN_2025)
    assert lazy is not None and asked == []  # the span is only read when a year is missing


def test_a_yearless_date_in_a_journal_over_two_years_takes_the_latest_inside():
    span = (dt.date(2024, 5, 1), dt.date(2025, 7, 1))
    assert find_time_window("on June 16th", dt.date(2026, 3, 1), span).since == dt.date(2025, 6, 16)
    assert find_time_window("on August 2nd", dt.date(2026, 3, 1), span).since == dt.date(2024, 8, 2)


@pytest.mark.parametrize("question, first, last, from_end, rest", [
    ("What did I learn in the second week of the challenge?", 8, 14, False, "What did I learn?"),
    ("what did I do in my first ten days", 1, 10, False, "what did I do"),
    ("the first 10 days of #100DaysOfCode", 1, 10, False, ""),
    ("What did I build in the last week of the challenge?", 1, 7, True, "What did I build?"),
    ("my third week", 15, 21, False, ""),
    ("what did I do on the last day of the challenge", 1, 1, True, "what did I do"),
    ("what did I do on the third day of the challenge", 3, 3, False, "what did I do"),
])
def test_day_span_of_the_challenge(question, first, last, from_end, rest):
    span = find_day_span(question)
    assert span is not None and (span.first, span.last, span.from_end, span.query) == (first, last, from_end, rest)


def test_a_span_from_the_end_needs_the_last_day():
    span = find_day_span("the last week of the challenge")
    assert span.days(80) == (74, 80) and span.days(None) is None
    assert find_day_span("my first ten days").days(None) == (1, 10)


@pytest.mark.parametrize("question", ["what did I do in the last 10 days", "the first week of September",
                                      "my first day", "the third day", "What did I learn last week?"])
def test_no_day_span(question):
    assert find_day_span(question) is None


def test_event_windows():
    after = find_event_window("What did I learn the day after I finished the course?")
    assert (after.days, after.direction, after.event, after.query) == (1, "after", "I finished the course",
                                                                       "What did I learn?")
    window = after.window(dt.date(2025, 5, 3), dt.date(2025, 5, 3))
    assert (window.since, window.until, window.kind) == (dt.date(2025, 5, 4), dt.date(2025, 5, 4), "day")
    before = find_event_window("What did I study in the week before I started React?")
    assert (before.days, before.direction, before.event) == (7, "before", "I started React")
    window = before.window(dt.date(2025, 5, 10), dt.date(2025, 5, 12))
    assert (window.since, window.until, window.kind) == (dt.date(2025, 5, 3), dt.date(2025, 5, 9), "week")
    assert find_event_window("two days after my first deploy").days == 2
    assert find_event_window("What did I do before lunch?") is None


@pytest.mark.parametrize("question, direction, rest", [
    ("When did I first learn about docker?", "first", "learn about docker?"),
    ("When did I start learning Rust?", "first", "learning Rust?"),
    ("the first time I used pandas", "first", "I used pandas"),
    ("When did I last touch CSS grid?", "last", "touch CSS grid?"),
    ("What was the last time I wrote about SQL?", "last", "What was I wrote about SQL?"),
])
def test_first_and_last_time(question, direction, rest):
    order = find_order(question)
    assert order is not None and (order.direction, order.query) == (direction, rest)


@pytest.mark.parametrize("question", ["What did I learn in my first week?", "What did I learn last week?",
                                      "my first day", "the first week of September"])
def test_no_order(question):
    assert find_order(question) is None


@pytest.mark.parametrize("question, span", [
    ("What did I do on days 20 to 25?", (20, 25)),
    ("what did I learn from day 3 to day 5", (3, 5)),
    ("What did I build between days 11 and 15?", (11, 15)),
    ("Show me day 3-5", (3, 5)),
])
def test_day_numbers_written_as_a_range_are_that_span(question, span):
    """journal shapes: "What did I do on days 20 to 25?" was read as words, and Day 56-57 came first."""
    from journal_agent.notes.time_expressions import find_day_span

    found = find_day_span(question)
    assert found is not None and (found.first, found.last) == span and not found.from_end
    assert "day" not in found.query.lower()


def test_a_backwards_day_range_is_not_a_span():
    from journal_agent.notes.time_expressions import find_day_span

    assert find_day_span("What did I do on days 25 to 20?") is None


def test_an_event_can_be_named_by_what_happened_not_only_by_i():
    """journal shapes: "the day before the Codility test" and "the day after the budget app started working on
    Heroku" were read as words (the event had to start with I, we or my)."""
    from journal_agent.notes.time_expressions import find_event_window

    found = find_event_window("What did I do the day before the Codility test?")
    assert found is not None and (found.direction, found.days, found.event) == ("before", 1, "the Codility test")
    after = find_event_window("What did I do the day after the budget app started working on Heroku?")
    assert after is not None and after.event == "the budget app started working on Heroku"


def test_the_journal_as_a_place_is_not_the_topic_of_a_first_time_question():
    from journal_agent.notes.time_expressions import order_topic

    assert order_topic("do Leetcode problems in the challenge?") == "leetcode problems"
    assert order_topic("write tests during my 100 days of code?") == "tests"


def test_the_first_or_last_day_of_something_in_the_journal_is_an_order_question():
    from journal_agent.notes.time_expressions import find_order

    found = find_order("What did I do on the last day of the Node17 forum?")
    assert found is not None and found.direction == "last" and found.topic == "node17 forum"
    assert find_order("What did I do on the first day of the hackathon?").direction == "first"
    # the challenge's own calendar stays a day span (find_day_span)
    assert find_order("What did I do on the last day of the challenge?") is None
    assert find_order("What did I do on the first day of the course?") is None


@pytest.mark.parametrize("question, today, since, until, kind, rest", [
    # learner relative questions: "the weekend before last" was words, "a week ago today" was today
    ("What did I do the weekend before last?", "2025-09-30", "2025-09-20", "2025-09-21", "week", "What did I do?"),
    ("What did I do the weekend before last?", "2025-09-28", "2025-09-13", "2025-09-14", "week", "What did I do?"),
    ("What did I learn the week before last?", "2025-09-27", "2025-09-08", "2025-09-14", "week",
     "What did I learn?"),
    ("What did I learn a week ago today?", "2025-09-27", "2025-09-20", "2025-09-20", "day", "What did I learn?"),
    ("what did I study two days ago today", "2025-09-27", "2025-09-25", "2025-09-25", "day", "what did I study"),
    ("notes from a month ago today", "2025-03-31", "2025-02-28", "2025-02-28", "day", "notes from"),
])
def test_relative_to_today_named_exactly(question, today, since, until, kind, rest):
    window = find_time_window(question, dt.date.fromisoformat(today))
    assert window is not None, question
    assert (window.since.isoformat(), window.until.isoformat(), window.kind) == (since, until, kind)
    assert window.query == rest


def test_n_days_after_an_event_is_that_day_and_in_the_n_days_every_day():
    """learner r14: "three days after I first used LangChain" meant Day 4, not Days 2-4 with Day 3 first."""
    from journal_agent.notes.time_expressions import find_event_window

    event_day = dt.date(2025, 9, 17)
    point = find_event_window("What did I do three days after I used LangChain?")
    assert point is not None and point.point and point.days == 3
    window = point.window(event_day, event_day)
    assert (window.since, window.until, window.kind) == (dt.date(2025, 9, 20), dt.date(2025, 9, 20), "day")
    before = find_event_window("What did I read two days before I got the certificate?").window(event_day, event_day)
    assert (before.since, before.until) == (dt.date(2025, 9, 15), dt.date(2025, 9, 15))
    for spread in ("What did I study in the two days after I started the course?",
                   "What did I study the two days after I started the course?",
                   "What did I study within two days after I started the course?"):
        found = find_event_window(spread)
        assert found is not None and not found.point, spread
        window = found.window(event_day, event_day)
        assert (window.since, window.until) == (dt.date(2025, 9, 18), dt.date(2025, 9, 19)), spread
    assert not find_event_window("What did I do the day after I started?").point
    assert not find_event_window("What did I do two weeks after I started?").point  # weeks stay a span


@pytest.mark.parametrize("question, span, from_end, rest", [
    # learner r18: "the last day" was left as words beside "my first week" (days 1-7)
    ("What did I learn on the last day of my first week?", (7, 7), False, "What did I learn?"),
    ("the first day of the second week of the challenge", (8, 8), False, ""),
    ("What did I do on the third day of my last week?", (5, 5), True, "What did I do?"),  # 7 back = its first
])
def test_a_day_of_a_challenge_week_is_that_one_day(question, span, from_end, rest):
    from journal_agent.notes.time_expressions import find_day_span

    found = find_day_span(question)
    assert found is not None and ((found.first, found.last), found.from_end, found.query) == (span, from_end, rest)


def test_a_weekend_of_the_challenge_is_counted_from_its_first_or_last_date():
    """learner r19: "the first weekend of the challenge" was words; a challenge from Wednesday 17 to Friday 26
    September 2025 has its first weekend on the 20th-21st, and so does its last."""
    from journal_agent.notes.time_expressions import find_challenge_weekend

    first, last = dt.date(2025, 9, 17), dt.date(2025, 9, 26)
    found = find_challenge_weekend("What did I do on the first weekend of the challenge?")
    assert found is not None and found.query == "What did I do?"
    window = found.window(first, last)
    assert (window.since, window.until, window.kind) == (dt.date(2025, 9, 20), dt.date(2025, 9, 21), "week")
    second = find_challenge_weekend("my second weekend").window(first, last)
    assert (second.since, second.until) == (dt.date(2025, 9, 27), dt.date(2025, 9, 28))
    assert find_challenge_weekend("my last weekend").window(first, last).since == dt.date(2025, 9, 20)
    sunday_start = find_challenge_weekend("my first weekend").window(dt.date(2025, 9, 21), last)
    assert sunday_start.since == dt.date(2025, 9, 20)  # a challenge begun on a Sunday: that weekend
    assert find_challenge_weekend("the first weekend of September") is None  # a month's, not the challenge's


def test_an_event_named_by_a_gerund_or_by_its_own_day():
    from journal_agent.notes.time_expressions import find_event_window

    gerund = find_event_window("What did I do the day before starting LangGraph?")
    assert gerund is not None and (gerund.direction, gerund.event, gerund.query) == (
        "before", "starting LangGraph", "What did I do?")
    same = find_event_window("What did I learn on the day I finished the course?")
    assert same is not None and (same.direction, same.event, same.query) == (
        "on", "I finished the course", "What did I learn?")
    window = same.window(dt.date(2025, 9, 25), dt.date(2025, 9, 25))
    assert (window.since, window.until, window.kind) == (dt.date(2025, 9, 25), dt.date(2025, 9, 25), "day")
    assert find_event_window("What did I learn on the day before yesterday?") is None  # a date, not an event


@pytest.mark.parametrize("text, named", [
    ("the challenge", True), ("my learning journey", True), ("#100DaysOfCode", True), ("this journal", True),
    ("the course", False), ("React", False), ("the challenge app", False),
])
def test_names_the_challenge(text, named):
    from journal_agent.notes.time_expressions import names_the_challenge

    assert names_the_challenge(text) is named


@pytest.mark.parametrize("question, span, rest", [
    ("What did I learn in the first month of the challenge?", (1, 30), "What did I learn?"),
    ("What did I learn in my first two weeks?", (1, 14), "What did I learn?"),
    ("What did I do in the first 2 weeks of the challenge?", (1, 14), "What did I do?"),
    ("What did I do on the day after Day 5?", (6, 6), "What did I do?"),
    ("What did I learn the day before day three?", (2, 2), "What did I learn?"),
])
def test_months_weeks_and_the_day_beside_a_day_number_in_the_challenges_calendar(question, span, rest):
    from journal_agent.notes.time_expressions import find_day_span

    found = find_day_span(question)
    assert found is not None and ((found.first, found.last), found.query) == (span, rest)
    assert find_day_span("What did I learn in the last 2 weeks?") is None  # the calendar's (find_time_window)


# -- day and date questions in the forms learners type (issue 18: held-out journals ask them) ---------------
LEARNER_TODAY = dt.date(2020, 5, 1)  # a Friday
_NOT_READ_YET = pytest.mark.xfail(reason="form not read yet (issue 18)", strict=True)


def _not_yet(*values):
    return pytest.param(*values, marks=_NOT_READ_YET)


@pytest.mark.parametrize("question, expected", [
    # learning-day numbers: an int
    ("What did I do on Day 12?", 12),
    ("day 12 what did I learn", 12),
    ("What did I learn on Day 012?", 12),
    ("What did I do on day #12?", 12),
    ("What did I do on day twelve?", 12),
    ("What did I learn on day twenty-one?", 21),
    ("What did I learn on my 12th day?", 12),
    ("What did I learn on the twelfth day?", 12),
    ("What did I do on the 4th day?", 4),
    ("What did I set up on Day 0?", 0),
    ("What did I learn on R1D12?", 12),
    ("What did I do on Day-12?", 12),
    ("What did I do on day_12?", 12),
    ("What did I do on day no. 12?", 12),
    ("What did I do on Day number 12?", 12),
    ("What did I do on the 12th day of the challenge?", 12),
    ("What did I learn on the twelfth day of my #100DaysOfCode?", 12),
    ("What did I work on D12?", 12),
    ("What was D44 about?", 44),  # benchmarks/journal_shapes/dragoscript.batch4.jsonl, written blind
    ("what did I do on d12", 12),
    ("D12: what did I build?", 12),
    # dates: "since..until", or "day-first|month-first" for a numeric date both ways readable
    ("What did I learn on 2020-01-04?", "2020-01-04"),
    ("What did I learn on 2020/01/04?", "2020-01-04"),
    ("What did I learn on 2020.01.04?", "2020-01-04"),
    ("What did I learn on 2020-1-4?", "2020-01-04"),
    ("What did I learn on 01/04/2020?", "2020-04-01|2020-01-04"),
    ("On 4/1/2020 what did I learn?", "2020-01-04|2020-04-01"),
    ("what did i learn on 1/4/2020", "2020-04-01|2020-01-04"),
    ("What did I learn on 04.01.2020?", "2020-01-04|2020-04-01"),
    ("What did I learn on 4-1-20?", "2020-01-04|2020-04-01"),
    ("What did I do on 13/11/2024?", "2024-11-13"),
    ("What did I do on 11.13.2024?", "2024-11-13"),
    ("What did I do on 12/25/2019?", "2019-12-25"),
    ("What did I study on 25/12/19?", "2019-12-25"),
    ("What did I do on 31-12-2019?", "2019-12-31"),
    ("What did I do on January 4th?", "2020-01-04"),
    ("What did I learn on Jan 4?", "2020-01-04"),
    ("What did I learn on Jan. 4th, 2020?", "2020-01-04"),
    ("What did I learn on 4th January 2020?", "2020-01-04"),
    ("What did I do on 4 Jan?", "2020-01-04"),
    ("What did I do on the 4th of January?", "2020-01-04"),
    ("What did I do on Saturday, January 4th?", "2020-01-04"),
    ("What did I do on Saturday, January 4th, 2020?", "2020-01-04"),
    ("What did I do on Sat 4 Jan 2020?", "2020-01-04"),
    ("What did I learn on Saturday 4th January?", "2020-01-04"),
    ("What did I learn on January 4, '20?", "2020-01-04"),
    ("What did I do on the 4th?", "2020-04-04"),
    ("What did I do on the 1st?", "2020-05-01"),
    ("What did I do on Saturday the 4th?", "2020-04-04"),
    ("What did I do on January the 4th?", "2020-01-04"),
    ("What did I learn on January 4th of 2020?", "2020-01-04"),
    ("What did I learn on 2020 January 4?", "2020-01-04"),
    ("What did I do on Saturday the 4th of January?", "2020-01-04"),
    ("What did I learn on the 4th of last month?", "2020-04-04"),
    ("What did I learn on the 1st of this month?", "2020-05-01"),
    ("What did I learn on Monday?", "2020-04-27"),
])
def test_day_and_date_questions_learners_type(question, expected):
    if isinstance(expected, int):
        reference = find_day_number(question)
        assert reference is not None and reference.day == expected, question
        assert not re.search(rf"\b[dD]?0*{expected}\b", reference.query), reference.query
        return
    assert find_day_number(question) is None, question
    window = find_time_window(question, LEARNER_TODAY)
    assert window is not None, question
    first, _, second = expected.partition("|")
    readings = getattr(window, "readings", None)
    if second:
        assert readings is not None, question
        assert (readings.day_first, readings.month_first) == (dt.date.fromisoformat(first),
                                                               dt.date.fromisoformat(second))
        assert (window.since, window.until) == (readings.day_first, readings.day_first)
    else:
        day = dt.date.fromisoformat(first)
        assert (window.since, window.until, window.kind) == (day, day, "day")
        assert readings is None or readings.day_first is None or readings.month_first is None
    assert not re.search(r"\d|saturday|\bsat\b", window.query, re.IGNORECASE), window.query


@pytest.mark.parametrize("question", [
    "What did I learn about D3.js?",
    "What did I learn about D3?",
    "What did I learn in D3?",
    "What did I learn on the first day of September?",
    "What changed in Python 3.11.12?",
    "What did I learn about the 4th dimension?",
    "Which tests failed 3/4 of the time?",
])
def test_numbers_that_are_no_day_or_date(question):
    assert find_day_number(question) is None
    assert find_time_window(question, LEARNER_TODAY) is None


@pytest.mark.parametrize("question", ["What did I do on the 4th day?", "What did I learn in the 4th week?",
                                      "What did I learn about the 4th dimension?"])
def test_the_4th_followed_by_a_noun_is_no_day_of_the_month(question):
    assert find_time_window(question, LEARNER_TODAY) is None


def test_the_4th_without_a_month_is_the_journals_latest_4th_when_the_journal_ended_before_today():
    window = find_time_window("What did I do on the 4th?", dt.date(2026, 12, 7),
                              (dt.date(2019, 12, 1), dt.date(2020, 2, 20)))
    assert window is not None and window.since == dt.date(2020, 2, 4)



@pytest.mark.parametrize("question, since, until", [
    ("What did I do between 10/11/2024 and 14/11/2024?", "2024-11-10", "2024-11-14"),  # 14 decides: day first
    ("What did I do from 11/10/2024 to 11/14/2024?", "2024-11-10", "2024-11-14"),  # 14 decides: month first
    ("What did I do between 01/04/2020 and 05/04/2020?", "2020-04-01", "2020-04-05"),  # day first on a tie
    ("What did I do between 01/05/2020 and 02/04/2020?", "2020-01-05", "2020-02-04"),  # day first runs backwards
])
def test_a_range_of_numeric_dates_reads_both_ends_in_one_order(question, since, until):
    window = find_time_window(question, LEARNER_TODAY)
    assert window is not None and (str(window.since), str(window.until), window.kind) == (since, until, "days")
    assert window.query == "What did I do?"


def test_options_read_numeric_dates_with_the_same_reader_day_first_by_default():
    """``--date 01/04/2020`` and ``--date 1/4/2020`` are one date, read day first (dateparser read 01/04/2020 day
    first and 4/1/2020 month first); month first only when day first is no date."""
    from journal_agent.notes.dates import parse_date, parse_note_date

    assert parse_date("01/04/2020") == parse_date("1/4/2020") == parse_date("1.4.20") == dt.date(2020, 4, 1)
    assert parse_date("4/1/2020") == dt.date(2020, 1, 4)
    assert parse_date("11/13/2024") == dt.date(2024, 11, 13)
    assert parse_note_date("11/13/2024 09:30") == dt.datetime(2024, 11, 13, 9, 30)
    with pytest.raises(ValueError, match="no real date"):
        parse_date("31/02/2020")
