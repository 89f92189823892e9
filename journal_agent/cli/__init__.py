"""The ``journal`` command: thin Click adapters over the library.

Each command parses options, calls one library function and prints the result.
Exceptions become one-line messages in one place: :mod:`journal_agent.cli.boundary`.

The subcommands are loaded lazily (Click's documented ``LazyGroup`` pattern):
:data:`COMMANDS` maps each name to ``"module:function"`` and its one-line help,
so ``journal --help`` imports no command module, and a command imports only its
own module, which imports what it needs at its top.

Exit codes: 0 success; 1 error (nothing or not everything could be done, message
on stderr); 2 usage error (Click); 3 partial: some notes failed and are listed,
every other note went through.
"""

from __future__ import annotations

import importlib

import click

from journal_agent import __version__
from journal_agent.cli.boundary import JournalGroup, debug_enabled, show_logs

# name -> ("module:function", the line `journal --help` shows; tests check it is the command's own).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("journal_agent.cli.write:init", "Create a journal in FOLDER: journal.toml, notes/, site/."),
    "add": ("journal_agent.cli.write:add", "Write a note (TEXT, --file, stdin, or $EDITOR) and ingest it."),
    "renumber": ("journal_agent.cli.write:renumber",
                 "Renumber the learning days in date order, without gaps."),
    "ingest": ("journal_agent.cli.write:ingest_command",
               "Read notes into the archive; only changed notes are re-embedded."),
    "import": ("journal_agent.cli.importing:import_group", "Import another tool's journal as notes (jrnl)."),
    "search": ("journal_agent.cli.search:search", "Search the archive by entry; a day or a time in QUERY is applied."),
    "list": ("journal_agent.cli.browse:list_command", "List entries by date: day, date, title, words, labels, path."),
    "show": ("journal_agent.cli.browse:show", "Show the entry a day or date names, or a note by path."),
    "tags": ("journal_agent.cli.browse:tags", "Every tag with how many notes carry it, most used first."),
    "stats": ("journal_agent.cli.browse:stats", "Notes, entries, study days, streaks, missed days, counts."),
    "export": ("journal_agent.cli.browse:export", "Export every note with its metadata and text."),
    "mcp": ("journal_agent.cli.browse:mcp", "Serve the journal to MCP clients over stdio (read-only)."),
    "ask": ("journal_agent.cli.ask:ask", "Ask an agent about your learning."),
    "chat": ("journal_agent.cli.ask:chat", "Talk with an agent; Ctrl-D exits."),
    "log": ("journal_agent.cli.ask:log", "List past conversations, newest first, or show conversation CID."),
    "reflect": ("journal_agent.cli.ask:reflect", "Ask the agent to update the learner profile from recent notes."),
    "memory": ("journal_agent.cli.memory:memory", "Show, edit, undo, export and import core memory."),
    "agents": ("journal_agent.cli.memory:agents", "List the agents: name, persona, attached blocks, tools."),
    "context": ("journal_agent.cli.context:context", "Show what an agent's next request would send, in tokens."),
    "review": ("journal_agent.cli.review:review", "Review what your notes say, spaced by FSRS."),
    "digest": ("journal_agent.cli.digest:digest", "Write the weekly digest note."),
    "site": ("journal_agent.cli.site:site", "Publish the journal as a website (MkDocs Material blog)."),
    "serve": ("journal_agent.cli.serve:serve", "Serve the agents and the site over HTTP (Letta API, MCP)."),
    "_sleeptime": ("journal_agent.cli.sleeptime:sleeptime", ""),
}


class LazyGroup(JournalGroup):
    """A :class:`JournalGroup` whose subcommands are imported when used (Click docs, "Lazily Loading Subcommands").

    Args:
        lazy: name -> ``("module:function", short help)``; a name with empty help is hidden.
    """

    def __init__(self, *args, lazy: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {name for name, (_, help) in self.lazy.items() if help})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy or name in self.commands:
            return super().get_command(ctx, name)
        module, function = self.lazy[name][0].split(":")
        command = getattr(importlib.import_module(module), function)
        self.add_command(command, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help`` from :data:`COMMANDS`: no command module is imported for it."""
        rows = [(name, self.lazy[name][1]) for name in self.list_commands(ctx) if name in self.lazy]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="journal")
@click.option("--root", type=click.Path(file_okay=False), envvar="JOURNAL_ROOT",
              help="Journal folder (default: found by walking up from here). Env: JOURNAL_ROOT.")
@click.option("--debug", is_flag=True,
              help="Show the traceback of an error, and what was logged. Env: JOURNAL_DEBUG=1.")
@click.pass_context
def main(ctx: click.Context, root: str | None, debug: bool) -> None:
    """journal-agent: a learning journal with a searchable archive and a memory agent.

    Start with `journal init`, write with `journal add`, find with `journal search`.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["debug"] = debug
    if debug_enabled(ctx):
        show_logs()
    if ctx.invoked_subcommand != "_sleeptime":  # the outcome of a background reflection, in one line
        from journal_agent.cli.sleeptime import sleeptime_notice  # here: `journal --help` imports no command

        sleeptime_notice(root)
