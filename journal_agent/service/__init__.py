"""Protocols that serve the journal agent to other programs: MCP over stdio (:mod:`journal_agent.service.mcp`)
and ``journal serve`` over HTTP (:mod:`journal_agent.service.http`: a Letta-compatible API, OpenAI-compatible
chat, MCP over streamable HTTP and the built site)."""
