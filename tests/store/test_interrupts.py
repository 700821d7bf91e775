"""A signal that arrives during a COMMIT waits until the commit is done and counted.

The signal is raised by the process itself from SQLAlchemy's ``commit`` event, which
runs just before the driver's COMMIT: without the hold, the KeyboardInterrupt would
stop the commit half way (or, a moment later, fall between the COMMIT and the count).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from tinycrm import interrupts
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.engine import Store


@pytest.fixture
def signal_on_commit(store: Store) -> Iterator[list[int]]:
    """Send the given signals to this process as each write transaction commits."""
    pending: list[int] = []

    def on_commit(_conn: object) -> None:
        while pending:
            signal.raise_signal(pending.pop())

    event.listen(store.engine, "commit", on_commit)
    try:
        yield pending
    finally:
        event.remove(store.engine, "commit", on_commit)


def test_ctrl_c_during_the_commit_arrives_after_it(store: Store, signal_on_commit) -> None:
    before = interrupts.saved()
    signal_on_commit.append(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        add_contact(store, name="Ada", email="ada@x.io")
    assert [c.name for c in list_contacts(store)] == ["Ada"]  # committed whole
    assert interrupts.saved() == before + 1  # and counted before the interrupt
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handed back


def test_a_transaction_that_fails_is_not_counted(store: Store) -> None:
    before = interrupts.saved()
    with pytest.raises(RuntimeError), store.write():
        add_contact(store, name="Ada", email="ada@x.io")
        raise RuntimeError("the caller gave up")
    assert list_contacts(store) == []
    assert interrupts.saved() == before
