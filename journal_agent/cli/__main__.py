"""``python -m journal_agent.cli``: the same as the ``journal`` command."""

from journal_agent.cli import main

main()
