"""Orders, their notes and statuses: records, the order book, queries and rendering."""
