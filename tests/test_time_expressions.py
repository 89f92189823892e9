"""Days, dates, weeks and ranges named in questions (find_time_window, find_day_number)."""

from __future__ import annotations

import datetime as dt

import pytest

from journal_agent.notes.days import find_day_number
from journal_agent.notes.time_expressions import find_time_window

TODAY = dt.date(2025, 9, 27)  # a Saturday, the day after the learner journal's weekly review


@pytest.mark.parametrize("question, since, until, kind, rest", [
    # one day
    ("What did I do on September 23, 2025?", "2025-09-23", "2025-09-23", "day", "What did I do?"),
    ("What did I do on 2025-09-23?", "2025-09-23", "2025-09-23", "day", "What did I do?"),
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
])
def test_time_window(question, since, until, kind, rest):
    window = find_time_window(question, TODAY)
    assert window is not None, question
    assert (window.since.isoformat(), window.until.isoformat(), window.kind) == (since, until, kind)
    assert window.query == rest


@pytest.mark.parametrize("question", [
    "How do I use may in python",
    "How did I format dates like 2025-13-45 in jq?",  # not a real day
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
