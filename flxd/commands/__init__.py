"""The `flxd` subcommands. Each module adds its parsers; handlers call into the core."""
