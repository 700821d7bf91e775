"""``crm.webhooks``: send what waits in the webhook outbox, list and retry failures.

Events reach the outbox on their own (every write, in its transaction, for the
``[[webhooks]]`` endpoints of the config file); :meth:`Webhooks.deliver` POSTs them,
signed, and records each try. Several deliverers may run at once: each claims a row
before it sends it.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from tinycrm.api.settings import usable

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.store.engine import Store
    from tinycrm.store.models import WebhookDeliveryRead

KEEP_DELIVERED = timedelta(days=30)
"""How long a delivered event stays in the outbox (``webhooks pending`` and counts)."""
LEASE_SPARE = 60.0
"""Seconds a claim outlasts the longest request: a live deliverer never loses its claim."""


@dataclass
class DeliveryRun:
    """What one ``deliver()`` did: rows delivered, to be retried, and given up."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _seconds(value: float) -> str:
    """``10``, ``0.5``, ``2592000``: never ``2.592e+06``."""
    return f"{value:.0f}" if value >= 1e6 else f"{value:g}"


class Webhooks:
    """The webhook outbox of one open CRM (``tinycrm webhooks``)."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        self._store = store
        self._config = config  # None: the config file as it is now (api.settings.usable)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def deliver(self, *, limit: int | None = None) -> DeliveryRun:
        """POST every event that is due now to its endpoint; at most ``limit`` tries.
        A failure is tried again after the endpoint's backoff, or given up after its
        ``attempts``."""
        from tinycrm.clock import utcnow
        from tinycrm.store import outbox, validate
        from tinycrm.webhooks.delivery import post
        from tinycrm.webhooks.endpoints import shown

        limit = validate.limit(limit)
        endpoints = {e.url: e for e in usable(self._config).webhooks}
        longest = max((e.timeout for e in endpoints.values()), default=10.0)
        lease = timedelta(seconds=longest + LEASE_SPARE)
        run = DeliveryRun()
        started = utcnow()  # what falls due while this runs waits for the next run
        while limit is None or run.delivered + run.retrying + run.failed < limit:
            row = outbox.claim(self._store, self.owner, lease=lease, due_by=started)
            if row is None:
                break
            endpoint = endpoints.get(row.endpoint)
            if endpoint is None:
                error = "the endpoint is no longer in the config file"
                outbox.finish(
                    self._store, row.id, self.owner, delivered=False, status=None,
                    error=error, retry_in=None,
                )  # fmt: skip
                run.failed += 1
                run.errors.append(f"#{row.id} {shown(row.endpoint)}: {error}")
                continue
            attempt = post(endpoint, row.event_id, row.body)
            tries = row.attempts + 1
            retry_in = None if tries >= endpoint.attempts else endpoint.delay(tries)
            outbox.finish(
                self._store,
                row.id,
                self.owner,
                delivered=attempt.delivered,
                status=attempt.status,
                error=attempt.error,
                retry_in=retry_in,
            )
            if attempt.delivered:
                run.delivered += 1
                continue
            if retry_in is None:
                run.failed += 1
                run.errors.append(f"#{row.id} {shown(row.endpoint)}: {attempt.error} (gave up)")
            else:
                run.retrying += 1
                run.errors.append(
                    f"#{row.id} {shown(row.endpoint)}: {attempt.error} (try {tries} of "
                    f"{endpoint.attempts}; again in {_seconds(retry_in)} s)"
                )
        if run.delivered:
            outbox.prune(self._store, delivered_before=started - KEEP_DELIVERED)
        return run

    def failed(self, *, limit: int | None = None) -> list[WebhookDeliveryRead]:
        """The deliveries given up (dead letters), oldest first."""
        from tinycrm.store.outbox import list_deliveries

        return list_deliveries(self._store, state="failed", limit=limit)

    def pending(self, *, limit: int | None = None) -> list[WebhookDeliveryRead]:
        """The deliveries still to be sent (due now or waiting for a retry)."""
        from tinycrm.store.outbox import list_deliveries

        return list_deliveries(self._store, state="pending", limit=limit)

    def counts(self) -> dict[str, int]:
        """How many deliveries are pending, delivered and failed."""
        from tinycrm.store.outbox import counts

        return counts(self._store)

    def retry(self, delivery: int | None = None) -> list[WebhookDeliveryRead]:
        """Queue a failed delivery (None: every failed one) to be sent again now."""
        from tinycrm.store.outbox import retry

        return retry(self._store, delivery)
