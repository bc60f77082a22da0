"""Time and ids, in one place so tests and the demo can reason about them."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(now())


def new_id(at: datetime | None = None) -> str:
    """A ULID: unique, and sorts by the time it names."""
    from ulid import ULID

    return str(ULID.from_datetime(at) if at else ULID())
