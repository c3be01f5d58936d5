"""What a channel author needs to test against flxd: a fake clock, hub fixtures (the pytest
plugin `flxd.testing.fixtures`, loaded automatically), and the channel contract suite."""

from flxd.testing.clock import FakeClock

__all__ = ["FakeClock"]
