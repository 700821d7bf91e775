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
CASE_STATUSES = ("new", "open", "pending", "resolved", "closed")
CASE_UNRESOLVED = ("new", "open", "pending")  # the SLA clock runs
CASE_PRIORITIES = ("low", "normal", "high", "urgent")
CASE_CHANNELS = ("email", "phone", "chat", "web")
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


def plural(n: int, noun: str) -> str:
    """A count and its noun, singular only for one: ``1 company``, ``2 companies``,
    ``1,200 open deals``, ``0 stage changes`` (the last word of ``noun`` takes the -s)."""
    if n == 1:
        return f"1 {noun}"
    head, _, word = noun.rpartition(" ")
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        word = word[:-1] + "ies"
    elif word.endswith(("s", "x", "ch", "sh")):
        word += "es"
    else:
        word += "s"
    return f"{n:,} {head + ' ' if head else ''}{word}"
