"""The contract between flxd and its plugins: hooks, registry, channel, contexts."""
