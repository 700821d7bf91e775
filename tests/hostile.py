"""A database full of hostile text, for the escape-sequence tests of the CLI and the board.

The records are made through the store, then every text column is rewritten with plain
SQL, bypassing validation: as a database from before input was checked, an old import or
another program writing to a shared PostgreSQL database would hold them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tinycrm import safetext

# An OSC that retitles the window (ended by BEL), a CSI that clears the screen, the
# one-byte C1 CSI, a right-to-left override, DEL, a NUL-free backspace, and Rich/Textual
# markup (a style and a link) that must show as typed.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil\x7f\x08\u2066 [bold red]x[/] [link=http://e.vil]y[/link]"
MARKUP = "[bold red]x[/]"
"""What the markup part of ``HOSTILE`` must look like on screen (not a red x)."""

# table: the text columns that get HOSTILE appended (names keep their lookup keys).
COLUMNS: dict[str, tuple[str, ...]] = {
    "company": ("name", "industry", "phone", "address", "city", "country", "owner"),
    "contact": ("name", "phone", "title", "source", "last_touch", "owner", "notes"),
    "pipeline": ("name",),
    "stage": ("name",),
    "deal": ("title", "lost_reason", "owner"),
    "activity": ("subject", "body", "owner"),
    "event": ("summary", "actor"),
    "stage_change": ("actor",),
    "tag": ("name",),
    "field_value": ("key", "value"),
    "sequence": ("name",),
    "sequence_step": ("text",),
    "qualification": ("note",),
    "score_rule": ("name", "condition"),
    "segment": ("name", "expression"),
    "campaign": ("name", "notes"),
    "import_batch": ("source",),
}


def raw_controls(text: str) -> list[str]:
    """The controls and bidi overrides in ``text`` that a terminal would obey
    (newlines and tabs are layout, not an attack)."""
    return sorted({safetext.escaped(c) for c in safetext.UNSAFE_MULTILINE.findall(text)})


def seed_hostile(store: Any) -> dict[str, int]:
    """Records of every kind, then HOSTILE in every text column. Returns a few ids."""
    from tinycrm.store.activities import add_task, log_activity
    from tinycrm.store.campaigns import add_campaign, add_members
    from tinycrm.store.companies import add_company
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.deals import add_deal, lose_deal, win_deal
    from tinycrm.store.leads import qualify
    from tinycrm.store.scoring import add_score_rule
    from tinycrm.store.segments import save_segment
    from tinycrm.store.sequences import add_sequence, enroll_contacts

    now = datetime.now(UTC)
    add_company(store, name="Acme", domain="acme.de", city="Berlin", tags=["vip"])
    ada = add_contact(
        store,
        name="Ada",
        email="ada@acme.de",
        company="Acme",
        title="CEO",
        source="web",
        notes="first line\nsecond line",
        cadence_days=7,
        tags=["vip"],
        fields={"plan": "pro"},
    )
    add_contact(store, name="Ada L", email="ada.l@acme.de", company="Acme")
    ids = {
        "contact": ada.id,
        "open": add_deal(
            store, title="Renewal", contact="ada@acme.de", amount="1000", close_date=date.today()
        ).id,
        "lost": add_deal(store, title="Pilot", company="Acme", amount="500").id,
        "won": add_deal(store, title="Expansion", company="Acme", amount="900").id,
    }
    lose_deal(store, ids["lost"], reason="price")
    win_deal(store, ids["won"])
    log_activity(store, kind="call", text="Called", ref="ada@acme.de", body="notes\nhere")
    add_task(store, text="Send contract", due=now - timedelta(days=1), contact="ada@acme.de")
    qualify(store, "ada@acme.de", answers={"budget": "yes"}, notes={"budget": "ok"})
    add_score_rule(store, name="Big", condition="tag:vip", points=10)
    save_segment(store, name="VIPs", expression="tag:vip")
    campaign = add_campaign(store, name="Spring", channel="email", notes="n")
    add_members(store, campaign.id, contacts=["ada@acme.de"])
    add_sequence(store, name="Onboarding", steps=[(0, "Call {name}"), (3, "Mail {name}")])
    enroll_contacts(store, "Onboarding", ["ada@acme.de"])
    inject(store)
    return ids


def inject(store: Any, value: str | None = None) -> None:
    """Append HOSTILE (or ``value``) to every text column of ``COLUMNS`` (NULLs become it)."""
    from sqlalchemy import text

    with store.engine.begin() as conn:
        for table, columns in COLUMNS.items():
            sets = ", ".join(f"{c} = COALESCE({c}, '') || :h" for c in columns)
            conn.execute(text(f"UPDATE {table} SET {sets}"), {"h": value or HOSTILE})
