"""A note's YAML front matter: where it ends, and reading it without letting it hurt.

The delimiting rule is Jekyll's (``jekyll/document.rb``, ``YAML_FRONT_MATTER_REGEXP``):
front matter exists when the file's first line is ``---``, and ends at the
next line that is ``---`` or ``...``. Blank lines, spaces and BOMs before the
opening ``---`` are skipped (Jekyll would not, and would publish the block as
text; a hostile or careless blank line must not turn ``private: true`` into prose).

After blank lines (the ``---`` not on the file's first line) the block is front matter only when it
reads as one: a YAML mapping is honoured (a ``private: true`` there still hides the note), and a block
with a top-level ``key:`` line that does not read is an error as above; a block with no such line (the
README that opens with a blank line, ``---`` as a horizontal rule, then Markdown: issue 18, makumar) is
body text, as Jekyll and MkDocs read it (:func:`_is_rule`).

Reading is done here rather than with python-frontmatter because its reader
loses exactly what must not be lost (issue 11): it silently drops front matter
that is a list or a scalar, treats front matter that is never closed as body
text (so ``private: true`` vanishes), and loads YAML with libyaml's C loader,
which crashes the whole process (segmentation fault) on a few KB of nested brackets. Writing notes still uses
python-frontmatter (``notes/add.py``).

The YAML is read with PyYAML's safe constructor and PyYAML's composer (over
libyaml's event parser when installed), with three bounds:

* front matter over :data:`MAX_FRONT_MATTER_CHARS` characters is refused;
* aliases (``*name``) are refused: nine levels of them in 461 bytes expand to
  billions of values (the "billion laughs" attack); front matter never needs them;
* nesting deeper than :data:`MAX_DEPTH` is refused (PyYAML's composer recurses);
* more than :data:`MAX_KEYS` fields, or more than :data:`MAX_WORDS` tags or
  categories, are refused, each with a message naming the bound (issue 21: one
  note of 10,000 tags kept ``site build`` busy for 344 s).

Keys are case-insensitive (``Private``, ``DRAFT``, ``Title``); a key given
twice, in any case, is an error, as is a merge key (``<<``). Every failure,
whatever YAML tag or construct caused it, is a :class:`NoteError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from journal_agent.errors import NoteError

MAX_FRONT_MATTER_CHARS = 64 * 1024  # real front matter is a few hundred characters
MAX_DEPTH = 20
MAX_KEYS = 100  # front-matter fields of one note; real notes have a handful
MAX_WORDS = 100  # tags (or categories) of one note; the site's tag links are quadratic in it (Material tags)
_LEADING = " \t\n\ufeff\u200b"  # blank lines, BOMs: python-frontmatter (used before) skipped them too
_OPENING_RE = re.compile(r"---[ \t]*(?:\n|$)")
_CLOSING_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_NULL_TAG = "tag:yaml.org,2002:null"
_KIND = {yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping (key: value)"}


@dataclass
class FrontMatter:
    """The front matter of one note and the body after it.

    Attributes:
        present: the note has a front-matter block (possibly empty).
        values: lower-cased key → value as YAML constructs it (``date``, ``bool``, ``int``, ``str``, ...).
        nodes: lower-cased key → the YAML node, for fields read as written (titles, tags).
        body: the text after the closing line.
        body_line: 1-based line of the file where ``body`` starts.
        yaml_line: 1-based line of the file where the YAML starts (after the opening ``---``).
    """

    present: bool
    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, yaml.Node] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    yaml_line: int = 2


def split_front_matter(path: Path, text: str) -> FrontMatter:
    """Split and read the YAML front matter of ``text`` (line endings already ``\\n``).

    Raises:
        NoteError: front matter never closed, over :data:`MAX_FRONT_MATTER_CHARS`,
            not valid YAML, not a mapping, using an alias or merge key, nested
            deeper than :data:`MAX_DEPTH`, a key twice, or a value YAML cannot
            construct (``!!timestamp tomorrow``); the line is given where known.
    """
    start = len(text) - len(text.lstrip(_LEADING))
    opening = _OPENING_RE.match(text, start)
    if not opening:
        return FrontMatter(present=False, body=text, body_line=1)
    first_line = text.count("\n", 0, start) + 1
    closing = _CLOSING_RE.search(text, opening.end()) if opening.group(0).endswith("\n") else None
    if first_line > 1 and _is_rule(text[opening.end(): closing.start() if closing else len(text)]):
        return FrontMatter(present=False, body=text, body_line=1)
    if closing is None:
        raise NoteError(path, "front matter is never closed: add a line with --- after it "
                              "(the note is not read, so none of its settings, such as private, is lost)", first_line)
    source = text[opening.end(): closing.start()]
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise NoteError(path, f"front matter is {len(source) // 1024} KB, over the "
                              f"{MAX_FRONT_MATTER_CHARS // 1024} KB limit", first_line)
    body_start = closing.end() + 1 if text[closing.end(): closing.end() + 1] == "\n" else closing.end()
    values, nodes = _load(path, source, first_line + 1)
    return FrontMatter(True, values, nodes, text[body_start:], text.count("\n", 0, body_start) + 1, first_line + 1)


_KEY_LINE_RE = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)", re.MULTILINE)  # "private: true", "date:"


def _is_rule(block: str) -> bool:
    """True when ``block``, the text after a ``---`` that follows blank lines, is Markdown, not front matter:
    it does not read as a YAML mapping and has no top-level ``key:`` line (a broken ``private: true`` block
    stays an error, never published as text)."""
    if _KEY_LINE_RE.search(block):
        return False
    try:
        root = yaml.compose(block, Loader=_BoundedLoader)
    except (yaml.YAMLError, RecursionError):
        return True
    return not isinstance(root, yaml.MappingNode)


def text_field(path: Path, front: FrontMatter, key: str) -> str | None:
    """A field read as text exactly as written (``title: 2024`` → ``"2024"``, ``title: yes`` → ``"yes"``).

    Returns ``None`` when absent or empty (``title:``, ``title: ~``).

    Raises:
        NoteError: the value is a list or a mapping.
    """
    node = front.nodes.get(key)
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise NoteError(path, f"front matter {key}: expected text, got {_KIND[type(node)]}",
                        _line(node, front.yaml_line))
    return None if node.tag == _NULL_TAG else str(node.value)


def words_field(path: Path, front: FrontMatter, key: str) -> list[str]:
    """A field that is a list of words, or one text of words (tags, categories), each as written.

    A text is split as Jekyll splits it: on commas when it has any, else on
    whitespace (``categories: Momentum_Learning Books``); list items stay whole
    (``[Learning Journey]``).

    Raises:
        NoteError: the value is a mapping, or an item of the list is a list or a mapping.
    """
    node = front.nodes.get(key)
    if node is None:
        return []
    if isinstance(node, yaml.ScalarNode):
        text = "" if node.tag == _NULL_TAG else str(node.value)
        words = [w for w in (re.split(r"\s*,\s*", text) if "," in text else text.split()) if w.strip()]
        if len(words) > MAX_WORDS:
            raise too_many_words(path, key, len(words), _line(node, front.yaml_line))
        return words
    if isinstance(node, yaml.MappingNode):
        raise NoteError(path, f"front matter {key}: expected a list of words, got {_KIND[yaml.MappingNode]}",
                        _line(node, front.yaml_line))
    if len(node.value) > MAX_WORDS:
        raise too_many_words(path, key, len(node.value), _line(node, front.yaml_line))
    words = []
    for number, item in enumerate(node.value, start=1):
        if not isinstance(item, yaml.ScalarNode):
            raise NoteError(path, f"front matter {key}: item {number} is {_KIND[type(item)]}, "
                                  "not a word", _line(item, front.yaml_line))
        if item.tag != _NULL_TAG:
            words.append(str(item.value))
    return words


def too_many_words(path: Path, key: str, count: int, line: int) -> NoteError:
    """The refusal of a ``tags``/``categories`` field of ``count`` (> :data:`MAX_WORDS`) items."""
    return NoteError(path, f"front matter {key}: {count:,} items, over the limit of {MAX_WORDS} per note; "
                           "keep the ones that matter", line)


def written(front: FrontMatter, key: str) -> str:
    """How a field's value was written, for messages (``'maybe'``, ``a list``)."""
    node = front.nodes.get(key)
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value[:60])
    return _KIND.get(type(node), "nothing")


def _line(node: yaml.Node, yaml_line: int = 2) -> int:
    """The file line of ``node``; the YAML starts on the file's ``yaml_line`` (2 after an opening ``---``)."""
    return node.start_mark.line + yaml_line


def _loader_base() -> type:
    """libyaml's event parser under PyYAML's Python composer, else the pure-Python ``SafeLoader``.

    libyaml's parser keeps its nesting on the heap and is about 5x faster than
    PyYAML's; its *composer* (``CSafeLoader``) recurses in C and segfaults on
    deep nesting, so the composer is always PyYAML's (bounded below).
    """
    if not yaml.__with_libyaml__:
        return yaml.SafeLoader
    from yaml._yaml import CParser  # type: ignore[import-not-found,unused-ignore]
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class _CEvents(Composer, SafeConstructor, Resolver, CParser):  # type: ignore[misc,valid-type,unused-ignore]
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return _CEvents


class _BoundedLoader(_loader_base()):  # type: ignore[misc,unused-ignore]
    """A safe YAML loader that refuses aliases and deep nesting while composing."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"found the alias *{event.anchor}; aliases are not read in front matter "
                "(a few can expand to billions of values): write the value out", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _load(path: Path, source: str, line: int) -> tuple[dict[str, Any], dict[str, yaml.Node]]:
    """Read the YAML ``source`` that starts on the file's ``line``; see the module docstring."""
    loader = _BoundedLoader(source)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _yaml_error(path, exc, line) from exc
        except RecursionError as exc:
            raise NoteError(path, "front matter is nested too deeply to read", 1) from exc
        if root is None:
            return {}, {}
        if not isinstance(root, yaml.MappingNode):
            kind = _KIND.get(type(root), "a single value")
            raise NoteError(path, f"front matter must be a YAML mapping (key: value lines), not {kind}", line)
        if len(root.value) > MAX_KEYS:
            raise NoteError(path, f"front matter has {len(root.value):,} fields, over the limit of {MAX_KEYS} per "
                                  "note", line)
        values: dict[str, Any] = {}
        nodes: dict[str, yaml.Node] = {}
        spelled: dict[str, str] = {}
        for key_node, value_node in root.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise NoteError(path, f"front matter key is {_KIND[type(key_node)]}, not a word", _line(key_node, line))
            name = str(key_node.value).strip().lower()
            if name == "<<":
                raise NoteError(path, "front matter merge keys (<<) are not read; write the keys out",
                                _line(key_node, line))
            if name in spelled:
                raise NoteError(path, f"front matter has the key {name!r} twice ({spelled[name]!r} and "
                                      f"{key_node.value!r}); keep one", _line(key_node, line))
            spelled[name] = str(key_node.value)
            nodes[name] = value_node
            try:
                values[name] = loader.construct_object(value_node, deep=True)
            except yaml.YAMLError as exc:
                raise _yaml_error(path, exc, line) from exc
            except Exception as exc:  # PyYAML constructors raise AttributeError, ValueError, ... on odd input
                shown = f"{value_node.value[:60]!r}" if isinstance(value_node, yaml.ScalarNode) else "value"
                tag = value_node.tag.rsplit(":", 1)[-1]
                raise NoteError(path, f"front matter {name}: cannot read {shown} as {tag} "
                                      f"({type(exc).__name__})", _line(value_node, line)) from exc
        return values, nodes
    finally:
        loader.dispose()


def _yaml_error(path: Path, exc: yaml.YAMLError, yaml_line: int) -> NoteError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + yaml_line if mark is not None else None
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
    if "nesting depth" in problem:
        # PyYAML 6.0.3+ scanners refuse deep flow nesting themselves ("exceeded maximum nesting
        # depth") before our composer's bound is reached; one bound, one message, whichever fires.
        return NoteError(path, f"front matter is not valid YAML: nested more than {MAX_DEPTH} levels deep", line)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        problem += f" ({context} started at line {context_mark.line + yaml_line})"
    return NoteError(path, f"front matter is not valid YAML: {problem}", line)
