"""Tests over real HTTP against the local stack: DynamoDB Local, moto's server, chalice local.

One stack for the whole session, on free ports with a throw-away data folder, no demo and no
recording. Each test registers its own shop (unique email), so tests never see each other's data.
`LOCAL_DYNAMODB=moto` runs the same tests on moto's DynamoDB instead of DynamoDB Local.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from local.stack import LocalStack, StackError
from tests.stack.helpers import Api, register_and_login

log = logging.getLogger(__name__)
MEMBER_CHECK_SECONDS = "3"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "stack: needs the local stack (DynamoDB Local, moto server, chalice local)")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir: Path = tmp_path_factory.mktemp("stack")
    local = LocalStack.throwaway(data_dir)
    try:
        # The API reads whether a signed-in person still belongs to their shop every few seconds
        # here, not every minute: a removed person's refusal is seen without a minute's wait.
        with pytest.MonkeyPatch.context() as env:
            env.setenv("MEMBER_CHECK_SECONDS", MEMBER_CHECK_SECONDS)
            # Tests send a shop's requests faster than a person: the roomiest plan by default;
            # tests/stack/test_usage.py puts its shops on the standard one.
            env.setenv("DEFAULT_PLAN", "chain")
            local.start()
    except StackError as exc:
        pytest.fail(f"the local stack did not start: {exc}", pytrace=False)
    log.info("stack up in %s s: %s", local.timings, local.api_url)
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def new_shop(stack: LocalStack) -> Iterator[Callable[..., Api]]:
    """Call to get another freshly registered, signed-in shop owner's session."""
    sessions: list[Api] = []

    def make(shop_name: str = "Test shop") -> Api:
        api, _ = register_and_login(stack.api_url, shop_name)
        sessions.append(api)
        return api

    yield make
    for api in sessions:
        api.close()


@pytest.fixture
def owner(new_shop: Callable[..., Api]) -> Api:
    """A signed-in owner of a new, empty shop."""
    return new_shop()
