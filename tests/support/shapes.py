"""Sample notes of other journal shapes (issue 18), written for the tests in the style of public
#100DaysOfCode logs; no other learner's text is copied."""

import datetime as dt

SINGLE_FILE_LOG = """# 100 Days Of Code - Log

My rules: one hour of code a day, and a line here every evening.

### Day 0: January 1, 2020

**Today's Progress**: set up a repo and a Python 3.8 virtualenv.

**Thoughts:** the hardest part was picking a project.

### Day 1: January 2, 2020

**Today's Progress**: wrote the CLI skeleton with argparse.

### Day 2: January 3, 2020

**Today's Progress**: learned how `pathlib.Path.glob` walks folders.

```python
### Day 99: not a heading, it is code
```

### Day 4: January 5, 2020

**Today's Progress**: missed a day; caught up on list comprehensions.
"""

MULTI_DAY_POST = """---
title: "Week 2: Reaching day 14"
date: 2024-11-17
tags: [100DaysOfCode]
---
A slow week: the flu took two evenings.

#### 11/11/2024 - Day 11

Flexbox again; `justify-content` finally clicked.

#### 12/11/2024 - Day 12

CSS grid areas for the landing page.

#### 13/11/2024 - Day 13

Media queries; the navbar collapses under 600px.
"""


def long_log(first: dt.date, streak: int, gap: int, rest: int) -> str:
    """A single-file #100DaysOfCode log: Day 0 to Day ``streak + rest - 1``, ``streak`` consecutive dates from
    ``first``, then ``gap`` days without an entry, then ``rest`` consecutive dates (one section per day)."""
    parts = ["# 100 Days Of Code - Log", "", "Rules: code an hour a day, log it here.", ""]
    for day in range(streak + rest):
        when = first + dt.timedelta(days=day if day < streak else day + gap)
        parts += [f"### Day {day}: {when:%B} {when.day}, {when.year}", "",
                  f"**Today's Progress**: exercise {day} of the course.", ""]
    return "\n".join(parts)
