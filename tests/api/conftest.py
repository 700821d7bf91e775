"""Fixtures of the tests/api tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.webhook_servers import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    if server.server is not None:
        server.stop()
