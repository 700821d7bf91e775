"""The product's fixed vocabularies.

Kept free of heavy imports: the command line reads these to build its help text
without loading the store.
"""

from __future__ import annotations

ROLES = ("decision-maker", "buyer", "influencer", "user", "other")
LIFECYCLES = ("lead", "prospect", "customer", "churned")
# hot: ready to buy; cold: interested later; junk: not a real lead; dead: lost for good
LEAD_STATUSES = ("new", "working", "hot", "cold", "junk", "dead")
BANT_CRITERIA = ("budget", "authority", "need", "timeline")
BANT_ANSWERS = ("yes", "no", "unknown")
DEAL_STATUSES = ("open", "won", "lost")
ACTIVITY_KINDS = ("call", "email", "meeting", "note", "task")
LOG_KINDS = ("call", "email", "meeting", "note")

# name, win probability (%), rotting threshold (days)
DEFAULT_STAGES = (
    ("Lead-in", 10, 14),
    ("Qualified", 25, 14),
    ("Proposal", 50, 10),
    ("Negotiation", 75, 7),
)
DEFAULT_CURRENCY = "EUR"
