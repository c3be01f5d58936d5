"""Where an unfinished walk stands, as a cursor part: `after <id> at <offset> until <time>`,
and `since <time>` for a walk over a window of modification dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["Position", "stamp"]


def stamp(moment: datetime) -> str:
    """A cursor's time: ISO-8601 UTC, whole seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Position:
    """Where an unfinished scan stands."""

    after: int
    offset: int
    until: datetime
    since: datetime | None = None

    def text(self) -> str:
        words = f"after {self.after} at {self.offset} until {stamp(self.until)}"
        return words + (f" since {stamp(self.since)}" if self.since is not None else "")

    @classmethod
    def parse(cls, value: str | None) -> Position | None:
        """None for no scan under way, or one this version cannot read (start over rather
        than guess)."""
        if not value:
            return None
        words = value.split()
        try:
            if len(words) not in (6, 8) or words[0::2][:3] != ["after", "at", "until"]:
                return None
            since = datetime.fromisoformat(words[7]) if len(words) == 8 else None
            return cls(int(words[1]), int(words[3]), datetime.fromisoformat(words[5]), since)
        except ValueError:
            return None
