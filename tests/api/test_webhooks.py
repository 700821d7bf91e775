"""Webhooks: the outbox filled in the event's transaction, delivered signed to a real local
HTTP server that fails some requests, is slow, and is down for a while; on SQLite and
PostgreSQL; two deliverer processes at once never send an event twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.api.webhook_servers import SECRET, RawReceiver, Receiver, config_text, open_crm
from tinycrm.webhooks import signing


def test_events_are_signed_and_carry_the_record(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(store, tmp_path, config_text(receiver.url, '["deal.*", "contact.created"]'))
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    crm.contacts.edit("ada@example.com", title="Countess")  # contact.updated: not wanted
    deal = crm.deals.add("Engine", amount="1000", contact="ada@example.com")
    crm.deals.win(deal.id)
    assert crm.webhooks.counts() == {"pending": 3, "delivered": 0, "failed": 0}

    run = crm.webhooks.deliver()
    assert (run.delivered, run.retrying, run.failed) == (3, 0, 0)
    assert [b["type"] for b in receiver.bodies()] == [
        "contact.created",
        "deal.created",
        "deal.won",
    ]
    won = receiver.bodies()[2]
    assert won["entity"] == "deal" and won["id"] == deal.id and won["actor"] == "tester"
    assert won["record"]["status"] == "won" and won["record"]["amount"] == 1000
    assert won["summary"].startswith("won deal Engine") and won["timestamp"]
    # written as the record's own times and --json's are (and the README's example):
    # it was '...+00:00' beside a record's '...Z'
    assert won["timestamp"] == crm.feed(limit=1)[0].model_dump(mode="json")["at"]
    assert won["timestamp"].endswith("Z") and won["record"]["updated_at"].endswith("Z")
    for headers, body in receiver.received:
        assert signing.verify(SECRET, headers, body)
        lower = {k.lower(): v for k, v in headers.items()}
        assert lower["webhook-id"] == f"evt_{json.loads(body)['event_id']}"
        assert lower["content-type"] == "application/json"
    assert crm.webhooks.deliver().delivered == 0  # each event once
    assert crm.webhooks.counts() == {"pending": 0, "delivered": 3, "failed": 0}


def test_delivered_events_are_kept_30_days(
    store: Any, tmp_path: Path, receiver: Receiver, time_machine: Any
) -> None:
    time_machine.move_to(time.time(), tick=True)
    crm = open_crm(store, tmp_path, config_text(receiver.url))
    crm.contacts.add("Ada Lovelace")
    assert crm.webhooks.deliver().delivered == 1
    time_machine.shift(29 * 86400)
    crm.contacts.add("Grace Hopper")
    assert crm.webhooks.deliver().delivered == 1
    assert crm.webhooks.counts()["delivered"] == 2
    time_machine.shift(2 * 86400)
    crm.contacts.add("Alan Turing")
    assert crm.webhooks.deliver().delivered == 1
    assert crm.webhooks.counts()["delivered"] == 2  # Ada's, 31 days old, is gone


def test_nothing_is_queued_for_a_write_that_rolled_back(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    from tinycrm.errors import Conflict

    crm = open_crm(store, tmp_path, config_text(receiver.url))
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    with pytest.raises(Conflict):
        crm.contacts.add("Ada Again", email="ada@example.com")
    assert crm.webhooks.counts()["pending"] == 1


def test_failures_are_retried_with_backoff_then_given_up_and_retried_by_hand(
    store: Any, tmp_path: Path, receiver: Receiver, time_machine: Any
) -> None:
    time_machine.move_to(time.time(), tick=True)
    text = config_text(receiver.url, extra="attempts = 3\nbackoff = 2\n", retry_after=10)
    crm = open_crm(store, tmp_path, text)
    crm.contacts.add("Ada Lovelace")
    receiver.plan = [500, 302, 502, 500]  # a redirect is not a delivery either
    first = crm.webhooks.deliver()
    assert (first.delivered, first.retrying) == (0, 1)
    assert "HTTP 500" in first.errors[0] and "again in 10 s" in first.errors[0]
    assert crm.webhooks.deliver().retrying == 0  # not due yet
    time_machine.shift(11)
    second = crm.webhooks.deliver()
    assert second.retrying == 1 and "again in 20 s" in second.errors[0]  # doubled
    assert "HTTP 302" in second.errors[0]
    time_machine.shift(21)
    third = crm.webhooks.deliver()
    assert third.failed == 1 and "gave up" in third.errors[0]
    (dead,) = crm.webhooks.failed()
    assert dead.attempts == 3 and dead.last_status == 502 and dead.event_type == "contact.created"
    assert receiver.received == []

    (again,) = crm.webhooks.retry(dead.id)
    assert again.id == dead.id and crm.webhooks.failed() == []
    receiver.plan = []
    assert crm.webhooks.deliver().delivered == 1
    assert receiver.bodies()[0]["type"] == "contact.created"


def test_a_slow_server_and_a_server_that_is_down_for_a_while(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(store, tmp_path, config_text(receiver.url, extra="attempts = 10\n"))
    crm.contacts.add("Ada Lovelace")
    crm.contacts.add("Grace Hopper")
    receiver.plan = [("slow", 3)]  # longer than the 2 s timeout: no answer in time
    run = crm.webhooks.deliver(limit=1)
    assert run.retrying == 1 and "no answer within 2 s" in run.errors[0]

    receiver.stop()  # down
    down = crm.webhooks.deliver()
    assert down.retrying == 2 and all("cannot connect" in e for e in down.errors)

    receiver.start()  # back, on the same port
    receiver.plan = [("slow", 0.5)]  # slow, but in time
    back = crm.webhooks.deliver()
    assert back.delivered == 2
    names = sorted(b["record"]["name"] for b in receiver.bodies())
    # the slow first try may have reached the server after all: a receiver dedupes by id
    assert set(names) == {"Ada Lovelace", "Grace Hopper"}


DELIVERER = """
import sys, tinycrm
with tinycrm.open(sys.argv[1], config=sys.argv[2]) as crm:
    run = crm.webhooks.deliver()
    print(run.delivered, run.retrying, run.failed)
"""


def test_two_deliverer_processes_never_send_an_event_twice(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text(receiver.url))
    crm = open_crm(store, tmp_path, config.read_text())
    crm.imports.rows(
        "contacts",
        [(n, {"name": f"Person {n}", "email": f"p{n}@example.com"}, None) for n in range(40)],
        source="people.csv",
    )
    for n in range(40):
        crm.companies.add(f"Company {n}")
    receiver.plan = [("slow", 0.01)] * 100
    script = tmp_path / "deliver.py"
    script.write_text(DELIVERER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), store.url, str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    delivered = [int(out.split()[0]) for out, _ in outputs]
    assert sum(delivered) == 41 and all(delivered), outputs  # both worked, none twice
    ids = [json.loads(body)["event_id"] for _, body in receiver.received]
    assert len(ids) == len(set(ids)) == 41


def test_an_import_and_a_merge_tell_every_record_they_touched(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(
        store, tmp_path, config_text(receiver.url, '["contact.imported", "contact.merged"]')
    )
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    crm.contacts.add("Ada L.", email="ada.l@example.com")
    rows = [
        (2, {"name": "Grace Hopper", "email": "grace@example.com"}, None),
        (3, {"name": "Alan Turing", "email": "alan@example.com"}, None),
        (4, {"name": "Ada Lovelace", "email": "ada@example.com", "title": "Countess"}, None),
    ]
    crm.imports.rows("contacts", rows, source="people.csv")
    crm.contacts.merge("ada@example.com", "ada.l@example.com")
    assert crm.webhooks.deliver().delivered == 2
    imported, merged = receiver.bodies()
    assert imported["type"] == "contact.imported"
    told = {i["record"]["name"]: (i["action"], i["changes"]) for i in imported["items"]}
    assert told == {
        "Grace Hopper": ("created", {}),
        "Alan Turing": ("created", {}),
        "Ada Lovelace": ("updated", {"title": [None, "Countess"]}),
    }
    assert merged["type"] == "contact.merged"
    assert [(i["action"], i["record"]["email"]) for i in merged["items"]] == [
        ("merged", "ada@example.com"),
        ("deleted", "ada.l@example.com"),  # the one merged away: the receiver drops it too
    ]
    # the first record's, at the top as for any event
    assert imported["record"] == imported["items"][0]["record"] and merged["action"] == "merged"


def test_a_big_amount_is_signed_and_sent_exactly_and_a_cent_changed_is_a_change(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(store, tmp_path, config_text(receiver.url, '["deal.*"]'))
    deal = crm.deals.add("Big", amount="999999999999999.99")
    crm.deals.edit(deal.id, amount="999999999999999.98")  # the same float: a change all the same
    assert crm.webhooks.deliver().delivered == 2
    (_, created), (headers, edited) = receiver.received
    assert b'"amount":999999999999999.99,' in created
    assert signing.verify(SECRET, headers, edited)  # the exact text is what is signed
    body = json.loads(edited, parse_float=Decimal)
    assert body["record"]["amount"] == Decimal("999999999999999.98")
    assert body["changes"]["amount"] == [Decimal("999999999999999.99"), body["record"]["amount"]]


def test_a_try_cut_off_at_its_timeout_does_not_live_on(store: Any, tmp_path: Path) -> None:
    """A receiver answering a byte a second is cut off at the endpoint's timeout, but
    the try's thread went on reading it for as long as the receiver liked (here three
    minutes, or for ever): `deliver --watch` against such a receiver gathered one thread
    and one open connection per try. The cut-off try's connection is now shut, and its
    thread ends."""
    answer = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n" + b"x-pad: " + b"y" * 150
    server = RawReceiver(answer + b"\r\n\r\n", pace=1)
    try:
        crm = open_crm(store, tmp_path, config_text(server.url))
        crm.contacts.add("Ada Lovelace")
        before = {t for t in threading.enumerate() if t.name == "tinycrm-webhook"}
        run = crm.webhooks.deliver()
        assert run.retrying == 1 and "no answer within 2 s" in run.errors[0], run.errors
        tries = [t for t in threading.enumerate() if t.name == "tinycrm-webhook"]
        for left in set(tries) - before:
            left.join(60)  # it ends at once; three minutes when it was left reading
            assert not left.is_alive()
    finally:
        server.close()


def test_a_long_backoff_waits_at_most_30_days_and_never_crashes_the_deliverer(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    """retry_after = 86400 and backoff = 10 (both allowed) made the 8th retry 10^12 s away,
    past the year 9999: the deliverer died with OverflowError after the POST, the row kept
    its claim, and each run sent the event again and died again."""
    from sqlalchemy import update

    from tinycrm.clock import utcnow
    from tinycrm.store.log_models import WebhookDelivery
    from tinycrm.store.models import table_of

    text = config_text(receiver.url, extra="attempts = 100\nbackoff = 10\n", retry_after=86400)
    crm = open_crm(store, tmp_path, text)
    crm.contacts.add("Ada Lovelace")
    with store.write() as session:
        session.execute(update(table_of(WebhookDelivery)).values(attempts=20))
    receiver.plan = [500]
    run = crm.webhooks.deliver()
    assert (run.retrying, run.failed) == (1, 0)
    assert "try 21 of 100; again in 2592000 s" in run.errors[0]
    (waiting,) = crm.webhooks.pending()
    assert waiting.next_at is not None
    assert (waiting.next_at - utcnow()).days in (29, 30)
    from tinycrm.config import parse_config

    assert parse_config(text, tmp_path / "config.toml").webhooks[0].delay(99) == 30 * 86400
