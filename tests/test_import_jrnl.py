"""Issue 18, ``journal import jrnl``: jrnl's plain-text journal and its JSON export become one note per day,
entries kept as ``## HH:MM Title`` sections; nothing overwritten; bounded input with named refusals."""

from __future__ import annotations

import json

import pytest

import journal_agent
from journal_agent.errors import ImportRefused
from journal_agent.notes import jrnl
from journal_agent.notes.journal import find_note, read_journal
from journal_agent.notes.jrnl import import_jrnl, parse_jrnl_json, parse_jrnl_text, read_jrnl

# A jrnl 2.x text journal (timeformat %Y-%m-%d %H:%M), with an entry in jrnl 4's "%F %r" form, a starred
# entry, @ and # tags, a one-line entry (its first sentence is the title) and a line before the first entry.
TEXT = """\
exported by hand
[2020-01-04 09:00] Started #100DaysOfCode with @python *
Read about list comprehensions.

Wrote three of them.
[2020-01-04 18:30] Evening review. Went over closures again.
[2020-01-05 07:15:00 PM] Day 2: decorators
Decorators wrap functions. @python @Decorators
[2020-13-45 09:00] is no date, so this line is body text
[2020-01-07] Day 3 without a time
Generators yield.
"""

# What `jrnl --export json` writes for the same journal (jrnl plugins/exporter/json.py), plus a uuid.
EXPORT = {
    "tags": {"@python": 2, "#100daysofcode": 1, "@decorators": 1},
    "entries": [
        {"title": "Started #100DaysOfCode with @python", "body": "Read about list comprehensions.\n\n"
         "Wrote three of them.\n", "date": "2020-01-04", "time": "09:00", "tags": ["#100daysofcode", "@python"],
         "starred": True, "uuid": "A1"},
        {"title": "Evening review.", "body": "Went over closures again.", "date": "2020-01-04", "time": "18:30",
         "tags": [], "starred": False},
        {"title": "Day 2: decorators", "body": "Decorators wrap functions. @python @Decorators\n"
         "[2020-13-45 09:00] is no date, so this line is body text", "date": "2020-01-05", "time": "19:15",
         "tags": ["@python", "@decorators"], "starred": False},
        {"title": "Day 3 without a time", "body": "Generators yield.", "date": "2020-01-07", "time": "00:00",
         "tags": [], "starred": False},
    ],
}


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "journal.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture
def json_file(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT, indent=2), encoding="utf-8")
    return path


def test_a_text_journal_is_read_as_jrnl_reads_it():
    read = parse_jrnl_text(TEXT)
    assert [(e.when.isoformat(" ", "minutes"), e.title, e.starred) for e in read.entries] == [
        ("2020-01-04 09:00", "Started #100DaysOfCode with @python", True),
        ("2020-01-04 18:30", "Evening review.", False),
        ("2020-01-05 19:15", "Day 2: decorators", False),
        ("2020-01-07 00:00", "Day 3 without a time", False)]
    assert read.entries[1].body == "Went over closures again."
    assert read.entries[2].body.endswith("[2020-13-45 09:00] is no date, so this line is body text")
    assert read.entries[0].tags == ("#100daysofcode", "@python") and read.entries[2].tags == ("@python", "@decorators")
    assert read.skipped_lines == 1 and read.format == "text"


def test_the_json_export_gives_the_same_entries_as_the_text():
    from_json = parse_jrnl_json(json.dumps(EXPORT))
    from_text = parse_jrnl_text(TEXT)
    assert from_json.format == "json"
    assert [(e.when, e.title, e.body, e.starred) for e in from_json.entries] == [
        (e.when, e.title, e.body, e.starred) for e in from_text.entries]
    assert [set(e.tags) for e in from_json.entries] == [set(e.tags) for e in from_text.entries]


def test_import_writes_one_note_per_day_with_entries_as_sections(journal, text_file):
    report = import_jrnl(journal, text_file)
    assert report.written == ["notes/jrnl/2020-01-04-jrnl.md", "notes/jrnl/2020-01-05-jrnl.md",
                              "notes/jrnl/2020-01-07-jrnl.md"]
    assert (report.entries, report.days, report.starred, report.skipped_lines) == (4, 3, 1, 1)
    assert (report.first.isoformat(), report.last.isoformat()) == ("2020-01-04", "2020-01-07")
    notes = {n.rel_path: n for n in read_journal(journal).notes}
    first = notes["notes/jrnl/2020-01-04-jrnl.md"]
    assert first.date.isoformat() == "2020-01-04" and first.categories == ["jrnl"]
    assert first.tags == ["100daysofcode", "python"]
    assert first.metadata["starred"] == ["09:00 Started #100DaysOfCode with @python"]
    assert first.metadata["imported_from"] == "jrnl"
    assert first.body.index("## 09:00 Started #100DaysOfCode with @python") < first.body.index(
        "## 18:30 Evening review.") and "Wrote three of them." in first.body
    assert find_note(journal, "day 2").note.rel_path == "notes/jrnl/2020-01-05-jrnl.md"
    # each jrnl entry is an entry of its day's note (list, show, stats, search count it)
    assert [(e.heading, e.date.isoformat()) for e in first.entries] == [
        ("09:00 Started #100DaysOfCode with @python", "2020-01-04"), ("18:30 Evening review.", "2020-01-04")]


def test_the_json_export_imports_to_the_same_notes(journal, json_file, text_file, tmp_path):
    import_jrnl(journal, json_file, into="notes/from-json")
    import_jrnl(journal, text_file, into="notes/from-text")
    for day in ("2020-01-04", "2020-01-05", "2020-01-07"):
        as_json = (journal.notes_dir / "from-json" / f"{day}-jrnl.md").read_text(encoding="utf-8")
        as_text = (journal.notes_dir / "from-text" / f"{day}-jrnl.md").read_text(encoding="utf-8")
        assert as_json == as_text


def test_an_existing_note_is_refused_and_nothing_is_written(journal, text_file):
    target = journal.notes_dir / "jrnl" / "2020-01-05-jrnl.md"
    target.parent.mkdir(parents=True)
    target.write_text("# Mine\n\nmy own note\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_jrnl(journal, text_file)
    assert "notes/jrnl/2020-01-05-jrnl.md" in str(refused.value) and "nothing was written" in str(refused.value)
    assert refused.value.hint and "--into" in refused.value.hint
    assert sorted(p.name for p in target.parent.iterdir()) == ["2020-01-05-jrnl.md"]
    assert target.read_text(encoding="utf-8") == "# Mine\n\nmy own note\n"


@pytest.mark.parametrize("content, says", [
    ("just some text\nno entries here\n", "no jrnl entries found"),
    ('{"entries": [', "not a jrnl JSON export"),
    ('{"tags": {}}', "entries"),
    ('{"entries": [{"date": "2020-02-30", "time": "09:00", "title": "x", "body": ""}]}', "entries.0.date"),
    ('{"entries": [{"date": "2020-02-03", "time": "25:00", "title": "x", "body": ""}]}', "entries.0.time"),
    ('{"entries": []}', "no entries"),
])
def test_what_is_not_a_jrnl_journal_is_refused_by_name(journal, tmp_path, content, says):
    path = tmp_path / "in.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRefused, match=says):
        import_jrnl(journal, path)
    assert not (journal.notes_dir / "jrnl").exists()


def test_an_encrypted_or_binary_file_is_refused_with_the_decrypt_hint(journal, tmp_path):
    path = tmp_path / "journal.txt"
    path.write_bytes(b"gAAAAAB\xff\xfe\x00\x01 encrypted")
    with pytest.raises(ImportRefused) as refused:
        import_jrnl(journal, path)
    assert "jrnl --decrypt" in (refused.value.hint or "")


def test_input_is_bounded_by_size_and_entry_count(journal, tmp_path, monkeypatch):
    monkeypatch.setattr(jrnl, "MAX_IMPORT_BYTES", 200)
    big = tmp_path / "big.txt"
    big.write_text(TEXT * 2, encoding="utf-8")
    with pytest.raises(ImportRefused, match="over the .* limit of one import"):
        read_jrnl(big)
    monkeypatch.setattr(jrnl, "MAX_IMPORT_ENTRIES", 3)
    with pytest.raises(ImportRefused, match="more than 3 entries"):
        parse_jrnl_text(TEXT)


def test_a_day_too_big_for_one_note_is_refused(journal, tmp_path):
    path = tmp_path / "journal.txt"
    path.write_text("[2020-01-04 09:00] Huge\n" + ("word " * 250_000) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="2020-01-04 make a note of .* over the 1 MB limit"):
        import_jrnl(journal, path)


def test_into_must_be_inside_notes(journal, text_file):
    with pytest.raises(ImportRefused, match="not inside notes/"):
        import_jrnl(journal, text_file, into="elsewhere")


def test_cli_prints_a_summary_and_refusals_as_one_line(run_cli, text_file, journal_dir):
    first = run_cli("import", "jrnl", str(text_file), "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["written"][0] == "notes/jrnl/2020-01-04-jrnl.md"
    again = run_cli("import", "jrnl", str(text_file))
    assert again.exit_code == 1 and "exist already" in again.output and "Traceback" not in again.output
    other = run_cli("import", "jrnl", str(text_file), "--into", "notes/second")
    assert other.exit_code == 0 and "Imported 4 jrnl entries (text) as 3 note(s)" in other.output


def test_imported_entries_are_searchable_after_ingest(journal, text_file):
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.search import search_notes

    import_jrnl(journal, text_file)
    ingest(journal)
    hits = search_notes(journal, "decorators wrap functions", limit=3).hits
    assert hits[0].path == "notes/jrnl/2020-01-05-jrnl.md"


def test_the_library_face_names_import_jrnl():
    assert journal_agent.import_jrnl is import_jrnl and "import_jrnl" in journal_agent.__all__
