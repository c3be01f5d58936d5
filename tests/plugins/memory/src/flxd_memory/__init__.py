"""An example channel that keeps its "remote store" in memory (optionally in a JSON file).

It implements all five operations the way a real channel should: paged, cursor-driven,
committing each page with its cursor, looking before it re-creates, and honouring shutdown.
"""
