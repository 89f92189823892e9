"""journal-agent: a personal learning-journal assistant."""

__version__ = "0.1.0"
