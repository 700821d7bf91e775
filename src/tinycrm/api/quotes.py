"""``crm.quotes``: numbered quotes frozen from a deal's line items, and their documents."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.api.settings import usable
from tinycrm.errors import Invalid
from tinycrm.safetext import quoted

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.documents import QuoteDocument
    from tinycrm.quote_config import SellerSettings
    from tinycrm.store.engine import Store
    from tinycrm.store.sales_models import QuoteHeadRead, QuoteRead


class Quotes:
    """Quotes. A quote is named by its number (``Q-2026-0001``) or its numeric id."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        self._store = store
        self._config = config  # None: the config file as it is now (api.settings.usable)

    def create(
        self,
        deal: str | int,
        *,
        valid: date | str | None = None,
        notes: str | None = None,
    ) -> QuoteRead:
        """Freeze the deal's line items into a new draft quote; ``valid`` is its last day
        (a ``date`` or ``"+30d"``; default ``[quotes] valid_days`` from today)."""
        from tinycrm.store.quotes import create_quote

        valid_until = values.day(valid, "valid")
        # the config only when it is needed (a broken one: ConfigError, as other rules)
        days = usable(self._config).quotes.valid_days if valid_until is None else 30
        return create_quote(
            self._store, deal, valid_until=valid_until, valid_days=days, notes=notes
        )

    def get(self, ref: str | int) -> QuoteRead:
        """One quote (its status as of today: ``expired`` past its valid-until day)."""
        from tinycrm.store.quotes import get_quote

        return get_quote(self._store, ref)

    def list(
        self,
        *,
        status: str | None = None,
        deal: str | int | None = None,
        where: str | None = None,
        limit: int | None = None,
    ) -> list[QuoteRead]:
        """Quotes, newest first; ``status`` draft, sent, accepted, declined or expired;
        ``where`` a filter expression (``"total>1000 and company~acme"``)."""
        from tinycrm.store.quotes import list_quotes

        return list_quotes(self._store, status=status, deal=deal, where=where, limit=limit)

    def stream(
        self,
        *,
        status: str | None = None,
        deal: str | int | None = None,
        where: str | None = None,
        limit: int | None = None,
        lines: bool = True,
        leave_out_odd: bool = False,
    ) -> Iterator[QuoteRead] | Iterator[QuoteHeadRead]:
        """The quotes :meth:`list` returns, in its order, as an iterator that reads them
        500 at a time with their lines (what ``quote list --json`` writes); with
        ``lines=False`` as ``QuoteHeadRead``, without lines and taxes, which are then not
        read at all (the table and CSV). ``leave_out_odd``: a quote holding a figure other
        SQL stored as no whole number is left out, named in a ``TinyCrmWarning`` (else
        ``Invalid`` names it when it is read). The filters are checked when this is
        called; the read stays open until the iterator is used up or closed."""
        from tinycrm.store.quotes import iter_quotes

        return iter_quotes(
            self._store,
            status=status,
            deal=deal,
            where=where,
            limit=limit,
            lines=lines,
            leave_out_odd=leave_out_odd,
        )

    def of_deals(self, deal_ids: Iterable[int]) -> builtins.list[QuoteRead]:
        """The quotes of several deals at once (by deal id), newest first."""
        from tinycrm.store.quotes import quotes_of_deals

        return quotes_of_deals(self._store, list(deal_ids))

    def send(self, ref: str | int) -> QuoteRead:
        """Mark a draft quote sent."""
        from tinycrm.store.quotes import send_quote

        return send_quote(self._store, ref)

    def accept(self, ref: str | int, *, win_deal: bool | None = None) -> QuoteRead:
        """Mark a quote accepted; its open deal is won with it unless ``[quotes]
        accept_wins_deal = false`` (``win_deal`` overrides)."""
        from tinycrm.store.quotes import accept_quote

        if win_deal is None:
            win_deal = usable(self._config).quotes.accept_wins_deal
        return accept_quote(self._store, ref, wins_deal=win_deal)

    def decline(self, ref: str | int) -> QuoteRead:
        """Mark a quote declined."""
        from tinycrm.store.quotes import decline_quote

        return decline_quote(self._store, ref)

    def document(self, ref: str | int) -> QuoteDocument:
        """What a rendered quote shows: the quote with the seller of ``[seller]``
        (``ConfigError`` when the config file is broken: not a document without it)."""
        return quote_document(self.get(ref), usable(self._config).seller)

    def render(self, ref: str | int, fmt: str = "pdf") -> bytes:
        """The quote as ``md``, ``html`` or ``pdf`` bytes."""
        from tinycrm.documents import FORMATS, render

        if fmt not in FORMATS:
            raise Invalid(f"format must be one of {', '.join(FORMATS)}, not {quoted(fmt)}")
        font = usable(self._config).quotes.pdf_font
        try:
            return render(self.document(ref), fmt, pdf_font=font)
        except ValueError as exc:
            raise Invalid(str(exc), field="format") from None

    def render_to(
        self, ref: str | int, path: str | os.PathLike[str], fmt: str = "pdf", *, mkdir: bool = False
    ) -> QuoteRead:
        """Write the rendered quote to ``path`` whole (temporary file and rename), 0600;
        ``mkdir`` creates its folder when missing. ``Invalid`` for the database itself
        (or a link to it, or its -wal/-shm file), which it would replace."""
        from tinycrm import files
        from tinycrm.api.database import Database

        if str(path) not in ("-", "/dev/stdout"):
            Database(self._store).refuse_own_file(os.fspath(path), str(path))
        data = self.render(ref, fmt)
        files.write_bytes(path, data, private=True, mkdir=mkdir)
        return self.get(ref)


def quote_document(quote: QuoteRead, seller: SellerSettings | None) -> QuoteDocument:
    """A quote's read model as the plain text a document shows."""
    from tinycrm import dates, money, pricing
    from tinycrm.documents import DocumentLine, Party, QuoteDocument, TaxRow

    code = quote.currency

    def cash(amount: object) -> str:
        return money.format_money(amount, code)  # type: ignore[arg-type]

    lines = []
    for line in quote.lines:
        description = line.name
        if line.sku:
            description += f" ({line.sku})"
        if line.recurring:
            description += f", per {line.recurring}"
        quantity = pricing.format_quantity(line.quantity)
        lines.append(
            DocumentLine(
                position=line.position,
                description=description,
                quantity=f"{quantity} {line.unit}" if line.unit else quantity,
                unit_price=cash(line.unit_price),
                discount=pricing.format_percent(line.discount) if line.discount else "",
                tax=pricing.format_percent(line.tax),
                net=cash(line.net),
            )
        )
    taxes = tuple(
        TaxRow(f"Tax {pricing.format_percent(t.rate)} on {cash(t.base)}", cash(t.tax))
        for t in quote.taxes
    )
    customer_lines = quote.company_address.splitlines() if quote.company_address else []
    if quote.contact and quote.company:
        customer_lines.append(f"Attn. {quote.contact}")
    if quote.contact_email:
        customer_lines.append(quote.contact_email)
    seller_lines: list[str] = []
    footer: list[str] = []
    if seller is not None:
        seller_lines = [
            *(seller.address.splitlines() if seller.address else []),
            *([seller.email] if seller.email else []),
            *([seller.phone] if seller.phone else []),
        ]
        if seller.tax_id:
            seller_lines.append(f"Tax id: {seller.tax_id}")
            footer.append(f"{seller.name or 'Seller'} · tax id {seller.tax_id}")
    return QuoteDocument(
        number=quote.number,
        status=quote.status,
        # no time: other SQL stored none (its warning names the quote)
        issued=dates.to_local(quote.created_at).date().isoformat() if quote.created_at else "",
        valid_until=quote.valid_until.isoformat(),
        currency=code,
        seller=Party(seller.name if seller else None, tuple(seller_lines)),
        customer=Party(quote.company or quote.contact, tuple(customer_lines)),
        deal=quote.deal,
        lines=tuple(lines),
        subtotal=cash(quote.subtotal),
        discount=f"-{cash(quote.discount)}" if quote.discount else None,
        net=cash(quote.net),
        taxes=taxes,
        total=cash(quote.total),
        notes=quote.notes,
        payment_terms=seller.payment_terms if seller else None,
        footer=tuple(footer),
    )
