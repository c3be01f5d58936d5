"""The daemon: lifecycle, scheduling, feeds, sink delivery, metrics, systemd notify."""
