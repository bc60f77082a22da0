"""The whole suite: `make test` runs it on two workers (pytest-xdist, `--dist loadgroup`). Tests
over HTTP and in the browser share one worker (each kind starts one local stack for its session),
while the in-process tests fill the other; on two cores that halves the wait without two stacks
fighting for the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
ON_A_STACK = (HERE / "stack", HERE / "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    group = pytest.mark.xdist_group("local-stack")
    for item in items:
        if any(folder in Path(str(item.fspath)).parents for folder in ON_A_STACK):
            item.add_marker(group)
