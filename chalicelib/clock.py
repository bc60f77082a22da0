"""Time and ids, in one place so tests and the demo can reason about them."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(now())


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def new_id(at: datetime | None = None) -> str:
    """A ULID: unique, and sorts by the time it names. ULIDs start in 1970: an earlier time (the
    lower bound of a range starting on 1970-01-01 in a zone east of UTC) names 1970's first id."""
    from ulid import ULID

    if at is not None and at.tzinfo is not None and at < EPOCH:
        at = EPOCH
    return str(ULID.from_datetime(at) if at else ULID())
