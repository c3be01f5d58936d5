"""The listing operations: import (importer, scan, products), publish (publisher, payload) and
sync (syncer, batches)."""
