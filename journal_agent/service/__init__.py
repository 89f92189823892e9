"""Protocols that serve the journal agent to other programs: MCP over stdio (:mod:`journal_agent.service.mcp`)."""
