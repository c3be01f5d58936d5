"""Products and their variations: records, the catalog that guards them, writes, queries and
how they are rendered."""
