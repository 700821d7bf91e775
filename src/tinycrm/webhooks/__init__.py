"""Webhooks: every event POSTed, signed the Standard Webhooks way, to the endpoints the
config file names (``[[webhooks]]``).

``endpoints`` reads and matches the endpoints, ``signing`` signs and verifies a message,
``delivery`` sends one over HTTP and decides when to try again. The outbox the events
wait in is the store's (``tinycrm.store.outbox``); ``crm.webhooks`` runs the deliveries.
"""
