"""Search latency at 10k and 100k chunks, with and without the ANN index: ``python -m benchmarks.search_scale``.

The archives are made of the real chunks of both TIL corpora in
``../shared/corpora`` (simonw-til, jbranchaud-til; ~5.7k chunks), embedded
ONCE with MiniLM and cached under ``benchmarks/.work/scale/`` (git-ignored),
then copied under new ids and paths until the archive holds the size wanted.
Each copy's vector gets small Gaussian noise (``NOISE`` per dimension) and is
L2-normalized again, so copies are near their original but never equal to it,
and ANN recall is measured against distinct neighbours rather than ties.

Every latency goes through the real pipeline (``search_notes``, the default
time boost, the 60 TIL questions of ``benchmarks/til_questions.jsonl``) in
this process, with the archive already open and the model loaded. Recall@10
compares the indexed vector query (``ann.tune``: nprobes, refine factor) with
the exact one (``bypass_vector_index()``) for the same prefilter the pipeline
uses (``source = 'note'``).

    python -m benchmarks.search_scale [--json] [--sweep] [--results benchmarks/RESULTS.md]

``--json`` prints one line at the end: ``{"hybrid_p50_ms": {"10000": ..,
"100000": ..}, "fts_p50_ms": {..}, "vector_p50_ms": {..}, "ann_recall_at_10": ..}``
(with the index). ``--sweep`` also measures index types and parameters and
the size threshold (see :mod:`journal_agent.archive.ann`). Without the corpora
it says so and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpora import CORPORA, REPO, TIL_CORPORA

WORK = REPO / "benchmarks" / ".work" / "scale"
BASE_ROWS = WORK / "base_rows.parquet"
SIZES = (10_000, 100_000)
NOISE = 0.01  # std of the Gaussian noise per dimension of a copy's vector (unit vectors: ~0.05 per dimension)
RECALL_QUERIES = 200  # the 60 questions plus noisy stored vectors
WHERE = "source = 'note'"
WINDOW = WHERE + " AND date >= date '2021-03-01' AND date <= date '2021-03-31'"  # a one-month window
MODES = ("fts", "vector", "hybrid")
RUNS = 2  # timed passes over the 60 questions per mode and configuration
SECTION = "## Search at scale: the ANN index"


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# -- the archives ---------------------------------------------------------------------------
def base_rows():
    """The real chunks of both TIL corpora with their MiniLM vectors (embedded once, cached as Parquet)."""
    import pyarrow.parquet as pq

    if BASE_ROWS.is_file():
        return pq.read_table(BASE_ROWS)
    from benchmarks.corpora import make_journal
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    log("embedding both TIL corpora with MiniLM once (a few minutes; cached afterwards) ...")
    root = make_journal(WORK / "base")
    journal = open_journal(root=root)
    started = time.perf_counter()
    report = ingest(journal)
    log(f"embedded {report.chunks_written} chunks in {time.perf_counter() - started:.0f} s")
    table = Archive.open(journal).scan(WHERE, None)
    WORK.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, BASE_ROWS)
    shutil.rmtree(root, ignore_errors=True)
    return table


def scaled_rows(base, size: int, seed: int = 0):
    """``size`` rows: the base chunks, then copies under ``c<k>/`` ids and paths with noisy, renormalized vectors."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    dimension = base.schema.field("vector").type.list_size
    vectors = base.column("vector").combine_chunks().flatten().to_numpy().reshape(-1, dimension)
    parts, total, copy = [], 0, 0
    while total < size:
        take = min(base.num_rows, size - total)
        part = base.slice(0, take)
        if copy:
            noisy = vectors[:take] + rng.normal(0.0, NOISE, (take, dimension)).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            prefix = f"c{copy}/"
            part = (part.set_column(part.schema.get_field_index("id"), "id",
                                    pc.binary_join_element_wise(prefix, part.column("id"), ""))
                    .set_column(part.schema.get_field_index("path"), "path",
                                pc.binary_join_element_wise(prefix, part.column("path"), ""))
                    .set_column(part.schema.get_field_index("vector"), part.schema.field("vector"),
                                pa.FixedSizeListArray.from_arrays(pa.array(noisy.ravel()), dimension)))
        parts.append(part)
        total += take
        copy += 1
    return pa.concat_tables(parts)


def build_archive(size: int, base):
    """A journal whose archive holds ``size`` chunks, full-text index made, compacted, no vector index.

    Returns ``(journal, archive, build seconds)``.
    """
    from benchmarks.corpora import make_journal
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    started = time.perf_counter()
    root = make_journal(WORK / f"j{size}", corpora=())
    journal = open_journal(root=root)
    archive = Archive.open(journal)
    rows = scaled_rows(base, size)
    archive.add_rows(rows.slice(0, 1).to_pylist())  # the table, its record and its full-text index
    for start in range(1, rows.num_rows, 25_000):
        archive.table.add(rows.slice(start, 25_000).cast(archive.table.schema))
    archive.table.optimize()  # compaction, rows folded into the full-text index; no vector index yet
    return journal, archive, time.perf_counter() - started


# -- measuring ------------------------------------------------------------------------------
def questions() -> list[str]:
    from benchmarks.quality_til import load_questions

    return [q["question"] for q in load_questions()]


def pipeline_latency(journal, archive, texts: list[str]) -> dict[str, tuple[float, float]]:
    """``{mode: (p50 ms, p95 ms)}`` of ``search_notes`` over ``texts`` × :data:`RUNS` (after one untimed pass)."""
    from journal_agent.archive.search import search_notes

    out = {}
    for mode in MODES:
        for text in texts:  # warm: caches, index files, the model's first calls
            search_notes(journal, text, mode=mode, archive=archive)
        times = []
        for text in texts * RUNS:
            started = time.perf_counter()
            search_notes(journal, text, mode=mode, archive=archive)
            times.append((time.perf_counter() - started) * 1000)
        out[mode] = (statistics.median(times), pct(times, 0.95))
    return out


def query_vectors(archive, texts: list[str], count: int = RECALL_QUERIES, seed: int = 1):
    """The questions' embeddings plus noisy copies of randomly chosen stored vectors, ``count`` in all."""
    import numpy as np

    rng = np.random.default_rng(seed)
    asked = archive.embedder.embed(texts)
    stored = archive.scan(WHERE, ["vector"]).column("vector").combine_chunks()
    picks = rng.choice(len(stored), size=max(0, count - len(asked)), replace=False)
    dimension = asked.shape[1]
    drawn = np.stack([np.asarray(stored[int(i)].as_py(), dtype=np.float32) for i in picks]) if len(picks) else \
        np.zeros((0, dimension), np.float32)
    drawn = drawn + rng.normal(0.0, NOISE, drawn.shape).astype(np.float32)
    drawn /= np.linalg.norm(drawn, axis=1, keepdims=True)
    return np.concatenate([asked, drawn])


def vector_ids(table, vectors, *, exact: bool, k: int = 10, where: str = WHERE, **params
               ) -> tuple[list[list[str]], list[float]]:
    """Top-``k`` ids per query vector and each query's latency (ms), exact or through the index (``ann.tune``)."""
    from journal_agent.archive import ann

    ids, times = [], []
    for vector in vectors:
        builder = table.search(vector, query_type="vector").distance_type("cosine").where(where, prefilter=True)
        builder = builder.bypass_vector_index() if exact else ann.tune(builder, table, where, **params)
        started = time.perf_counter()
        rows = builder.select(["id", "_distance"]).limit(k).to_list()
        times.append((time.perf_counter() - started) * 1000)
        ids.append([r["id"] for r in rows])
    return ids, times


def recall(table, vectors, exact_ids, **params) -> tuple[float, float]:
    """``(Recall@10 against exact, p50 ms of the indexed query)``."""
    from journal_agent.archive import ann

    found, times = vector_ids(table, vectors, exact=False, **params)
    return ann.recall_at_k(found, exact_ids, 10), statistics.median(times)


# -- the sweep ------------------------------------------------------------------------------
SWEEP = [  # (kind, {query params}) measured at each size; partitions: sqrt(chunks), 1 for HNSW (LanceDB's advice)
    ("IVF_FLAT", {"nprobes": 10, "refine_factor": None}),
    ("IVF_FLAT", {"nprobes": 20, "refine_factor": None}),
    ("IVF_FLAT", {"nprobes": 40, "refine_factor": None}),
    ("IVF_SQ", {"nprobes": 20, "refine_factor": None}),
    ("IVF_SQ", {"nprobes": 20, "refine_factor": 5}),
    ("IVF_PQ", {"nprobes": 20, "refine_factor": None}),
    ("IVF_PQ", {"nprobes": 20, "refine_factor": 10}),
    ("IVF_HNSW_SQ", {"nprobes": 1, "refine_factor": None}),
    ("IVF_HNSW_SQ", {"nprobes": 1, "refine_factor": 5}),
]
THRESHOLD_SIZES = (2_000, 5_000, 10_000, 20_000, 50_000)


def sweep(base, texts: list[str]) -> str:
    """Index types and parameters at each size, then the exact-vs-index latency by size. Returns Markdown."""
    from journal_agent.archive import ann

    lines = ["| chunks | index | partitions | nprobes | refine | build s | Recall@10 | p50 ms (exact p50 ms) |",
             "|---|---|---|---|---|---|---|---|"]
    for size in SIZES:
        _journal, archive, _ = build_archive(size, base)
        table = archive.table
        vectors = query_vectors(archive, texts)
        exact, exact_times = vector_ids(table, vectors, exact=True)
        for kind in dict.fromkeys(k for k, _ in SWEEP):
            parts = 1 if kind == "IVF_HNSW_SQ" else ann.partitions_for(size)
            started = time.perf_counter()
            name = ann.create(table, size, kind=kind, partitions=parts)
            build_s = time.perf_counter() - started
            for params in (p for k, p in SWEEP if k == kind):
                value, p50 = recall(table, vectors, exact, **params)
                lines.append(f"| {size:,} | {kind} | {parts} | {params['nprobes']} | {params['refine_factor'] or '-'} "
                             f"| {build_s:.1f} | {value:.3f} | {p50:.1f} ({statistics.median(exact_times):.1f}) |")
                log(lines[-1])
            table.drop_index(name)
        shutil.rmtree(WORK / f"j{size}", ignore_errors=True)
    lines += ["", f"Exact (flat) vs {ann.KIND} (nprobes {ann.NPROBES}, refine {ann.REFINE_FACTOR or 'none'}) "
                  "vector query latency by size (ms, p50 over the recall queries):", "",
              "| chunks | exact p50 | indexed p50 | Recall@10 | index build s |", "|---|---|---|---|---|"]
    for size in THRESHOLD_SIZES:
        _journal, archive, _ = build_archive(size, base)
        table = archive.table
        vectors = query_vectors(archive, texts, count=100)
        exact, exact_times = vector_ids(table, vectors, exact=True)
        started = time.perf_counter()
        ann.create(table, size)
        build_s = time.perf_counter() - started
        value, p50 = recall(table, vectors, exact)
        lines.append(f"| {size:,} | {statistics.median(exact_times):.1f} | {p50:.1f} | {value:.3f} | {build_s:.1f} |")
        log(lines[-1])
        shutil.rmtree(WORK / f"j{size}", ignore_errors=True)
    return "\n".join(lines)


# -- the run --------------------------------------------------------------------------------
def run(base, texts: list[str]) -> tuple[str, dict]:
    """Latency per mode exact and with the index, and ANN recall, at each size. Returns (Markdown, data).

    The ``*_p50_ms`` figures are those of the archive as shipped: exact below
    ``ann.MIN_ROWS`` chunks, with the index from there.
    """
    from journal_agent.archive import ann

    rows = ["| chunks | mode | p50 ms exact | p95 ms exact | p50 ms ANN | p95 ms ANN | as shipped |",
            "|---|---|---|---|---|---|---|"]
    data: dict = {"hybrid_p50_ms": {}, "fts_p50_ms": {}, "vector_p50_ms": {}, "exact": {}, "indexed": {},
                  "recall": {}, "build_s": {}}
    for size in SIZES:
        journal, archive, build_s = build_archive(size, base)
        log(f"{size:,} chunks: archive built in {build_s:.0f} s")
        exact = pipeline_latency(journal, archive, texts)
        started = time.perf_counter()
        ann.create(archive.table, size)
        data["build_s"][str(size)] = round(time.perf_counter() - started, 1)
        indexed = pipeline_latency(journal, archive, texts)
        vectors = query_vectors(archive, texts)
        exact_ids, _ = vector_ids(archive.table, vectors, exact=True)
        value, _ = recall(archive.table, vectors, exact_ids)
        data["recall"][str(size)] = round(value, 4)
        window_ids, window_exact_ms = vector_ids(archive.table, vectors, exact=True, where=WINDOW)
        window_value, window_ms = recall(archive.table, vectors, window_ids, where=WINDOW)
        data.setdefault("window", {})[str(size)] = (round(window_value, 4), archive.table.count_rows(WINDOW),
                                                    round(window_ms, 1), round(statistics.median(window_exact_ms), 1))
        shipped = indexed if size >= ann.MIN_ROWS else exact
        for mode in MODES:
            data[f"{mode}_p50_ms"][str(size)] = round(shipped[mode][0], 1)
            data["exact"].setdefault(mode, {})[str(size)] = round(exact[mode][0], 1)
            data["indexed"].setdefault(mode, {})[str(size)] = round(indexed[mode][0], 1)
            rows.append(f"| {size:,} | {mode} | {exact[mode][0]:.0f} | {exact[mode][1]:.0f} | {indexed[mode][0]:.0f} "
                        f"| {indexed[mode][1]:.0f} | {'ANN' if shipped is indexed else 'exact'} |")
            log(rows[-1])
        shutil.rmtree(WORK / f"j{size}", ignore_errors=True)
    data["ann_recall_at_10"] = data["recall"][str(SIZES[-1])]
    small, large = str(SIZES[0]), str(SIZES[-1])
    ratio = data["hybrid_p50_ms"][large] / data["hybrid_p50_ms"][small]
    exact_ratio = data["exact"]["hybrid"][large] / data["exact"]["hybrid"][small]
    data["hybrid_ratio"] = round(ratio, 2)
    table = ("\n".join(rows) + "\n\n"
             f"ANN index: {ann.KIND}, cosine, partitions = √chunks, nprobes {ann.NPROBES}, "
             f"refine factor {ann.REFINE_FACTOR or 'none'}, made from {ann.MIN_ROWS:,} chunks on (`ann.MIN_ROWS`); "
             "trained in " + ", ".join(f"{s} s at {int(n):,}" for n, s in data["build_s"].items()) + ".\n"
             f"Recall@10 of the indexed vector query against exact search ({RECALL_QUERIES} queries: the 60 "
             "questions and noisy stored vectors): "
             + ", ".join(f"{v:.3f} at {int(n):,}" for n, v in data["recall"].items()) + "; within a one-month "
             "date window (March 2021), where the partitions probed grow with the filter's narrowness: "
             + ", ".join(f"{r:.3f} at {int(n):,} ({kept:,} chunks in the window; {ms} ms against {exact_ms} ms exact)"
                         for n, (r, kept, ms, exact_ms) in data["window"].items()) + ".\n"
             f"Hybrid p50 as shipped, {SIZES[-1]:,} / {SIZES[0]:,} chunks: {ratio:.2f}× (goal ≤ 1.5×; "
             f"exact search at both sizes: {exact_ratio:.2f}×).")
    return table, data


S3_NOTES = 20  # notes per corpus in the S3 round trip


def s3_round_trip(texts: list[str]) -> str:
    """Ingest + search through a local S3 API (moto's server) against the same with a local folder. Markdown."""
    import os
    import uuid

    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        return "S3 round trip not measured: moto[server] is not installed (`pip install -e '.[test]'`)."
    from benchmarks.corpora import make_journal
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_REGION", "AWS_ALLOW_HTTP", "JOURNAL_ARCHIVE_URI")}
    os.environ.update(AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="bench",
                      AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1", AWS_ALLOW_HTTP="true")
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    rows = {}
    try:
        for place in ("local folder", "S3 (moto, 127.0.0.1)"):
            if place.startswith("S3"):
                os.environ["JOURNAL_ARCHIVE_URI"] = f"s3://{bucket}/archive"
            else:
                os.environ.pop("JOURNAL_ARCHIVE_URI", None)
            writer = open_journal(root=make_journal(WORK / "s3-writer", limit=S3_NOTES))
            report = ingest(writer)
            reader_root = make_journal(WORK / "s3-reader", corpora=())
            if not place.startswith("S3"):  # a second journal on the same local folder
                shutil.copytree(writer.store_dir, reader_root / ".journal" / "archive.lance")
            reader = open_journal(root=reader_root)
            started = time.perf_counter()
            archive = Archive.open(reader)
            opened = time.perf_counter() - started
            search_notes(reader, texts[0], archive=archive)
            times = []
            for text in texts:
                began = time.perf_counter()
                search_notes(reader, text, archive=archive)
                times.append((time.perf_counter() - began) * 1000)
            rows[place] = (report.chunks_written, report.seconds, report.embed_seconds, opened,
                           statistics.median(times), pct(times, 0.95))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()
    lines = ["| archive | chunks | ingest s | of which embedding s | open from a 2nd journal s | hybrid p50 ms "
             "| hybrid p95 ms |", "|---|---|---|---|---|---|---|"]
    for place, (chunks, seconds, embed, opened, p50, p95) in rows.items():
        lines.append(f"| {place} | {chunks} | {seconds:.2f} | {embed:.2f} | {opened:.2f} | {p50:.0f} | {p95:.0f} |")
    return (f"S3 round trip: one journal ingests {2 * S3_NOTES} TIL notes (MiniLM) into the archive, a second "
            "journal opens it (schema check and a read of every data file) and runs `search_notes` (hybrid) "
            "over the 60 questions. moto's S3 server runs in this process, so the S3 figures are the object-store "
            "protocol's cost without a network.\n\n" + "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    from benchmarks.__main__ import machine_line
    from benchmarks.results import write_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line of the figures at the end")
    parser.add_argument("--sweep", action="store_true", help="also measure index types, parameters and threshold")
    parser.add_argument("--results", type=Path, help="write the tables into this RESULTS.md (its own section)")
    args = parser.parse_args(argv)
    missing = [c for c in TIL_CORPORA if not (CORPORA / c / "manifest.jsonl").is_file()]
    if missing and not BASE_ROWS.is_file():
        print(f"search_scale: the corpora {', '.join(missing)} are not in {CORPORA}; nothing measured")
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    header = (f"{dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit}; {machine_line()}.\n"
              f"Command: `python -m benchmarks.search_scale{' --sweep' if args.sweep else ''}`. "
              "The machine is shared with other jobs and noisy: medians and ratios come from one run.\n")
    base = base_rows()
    texts = questions()
    log(f"base: {base.num_rows} real chunks; copies carry Gaussian noise (std {NOISE} per dimension), renormalized")
    parts = [f"{SECTION}\n\n{header}\n"
             f"Archives of real chunks ({base.num_rows:,} from simonw-til and jbranchaud-til, MiniLM) copied "
             f"under new ids to each size; each copy's vector has Gaussian noise (std {NOISE} per dimension) and "
             "is renormalized, so ANN recall is measured against distinct neighbours. Latency: `search_notes` "
             f"in-process over the 60 TIL questions × {RUNS} (after one untimed pass), per mode, exact (no vector "
             "index: flat scan) and with the ANN index; \"as shipped\" is what an archive of that size uses.\n"]
    table, data = run(base, texts)
    parts.append(table + "\n")
    parts.append(s3_round_trip(texts) + "\n")
    if args.sweep:
        parts.append("Index types and parameters (vector query alone, Recall@10 against exact):\n\n"
                     + sweep(base, texts) + "\n")
    parts.append(f"_{time.perf_counter() - started:.0f} s_\n")
    section = "\n".join(parts)
    print(section)
    if args.results:
        write_section(section, args.results)
    if args.json:
        print(json.dumps({k: data[k] for k in ("hybrid_p50_ms", "fts_p50_ms", "vector_p50_ms", "ann_recall_at_10")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
