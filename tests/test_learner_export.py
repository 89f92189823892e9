"""Issue 20, exporting: Markdown export is the learner's files byte for byte; JSON carries the parsed metadata."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from tests.support.journals import SEED, SEED_NAME, write

LEARNER = Path(__file__).resolve().parents[1] / "benchmarks" / "learner_journal"


def test_markdown_export_is_byte_for_byte(journal_dir, run_cli, tmp_path):
    shutil.copy(SEED, journal_dir / "notes" / SEED_NAME)
    for source in LEARNER.glob("*.markdown"):
        shutil.copy(source, journal_dir / "notes" / source.name)
    write(journal_dir / "notes" / "breaks.md", b"---\nlast_modified_at: 18-09-2025 23.55\ntitle: Breaks\n---\r\n"
          b"Line one  \r\nline two\r\n")
    out = tmp_path / "export.zip"
    result = run_cli("export", "--format", "markdown", "--output", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert len(names) == 11
        for name in names:
            assert archive.read(name) == (journal_dir / name).read_bytes(), name


def test_json_export_carries_parsed_metadata(journal_dir, run_cli):
    shutil.copy(SEED, journal_dir / "notes" / SEED_NAME)
    [note] = json.loads(run_cli("export").stdout)["notes"]
    assert (note["title"], note["date"], note["day"], note["date_source"]) == (
        "Momentum Learning Day 2", "2025-09-18", 2, "last_modified_at")
    assert note["metadata"] == {"layout": "note"} and note["categories"] == ["Momentum_Learning", "Learning Journey"]
