"""Name completion for the board's forms (the palette's jump list is ``store/search.py``)."""

from __future__ import annotations

from sqlalchemy import select

from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.models import Company, Contact


def complete_name(store: Store, *, kind: str, prefix: str) -> str | None:
    """The first contact or company name (``kind``), in list order, that starts with
    ``prefix`` folded (``validate.folded``: case, accents and letters such as ø and ß, so
    "ang" finds "Ångström" and "sor" finds "Søren").

    What a form's REF field offers as inline completion.
    """
    key = validate.folded(prefix)
    if not key or len(key) > validate.MAX_SEARCH:
        return None
    model = {"contact": Contact, "company": Company}.get(kind)
    if model is None:
        raise ValueError(f"cannot complete names of {kind!r}")
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with store.read() as session:
        return session.scalar(
            select(model.name)  # type: ignore[attr-defined]
            .where(model.sort_key.like(f"{escaped}%", escape="\\"))  # type: ignore[attr-defined]
            .order_by(model.sort_key, model.id)  # type: ignore[attr-defined]
            .limit(1)
        )
