"""Reading listing and shipment files (CSV / JSONL) into hub rows."""
