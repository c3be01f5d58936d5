"""flxd's own features, registered through the same plugin manager as any third-party plugin."""
