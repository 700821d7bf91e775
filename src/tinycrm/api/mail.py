"""``crm.mail``: mail into the CRM (``tinycrm mail import``): each message an email
activity for every known contact on it, once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.mail.message import MailMessage
    from tinycrm.store.engine import Store
    from tinycrm.store.mail_log import MailRun


class Mail:
    """Messages logged as email activities. Own addresses and internal domains come
    from the config file's ``[mail]`` table (``own_addresses``, ``own_domains``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def log(
        self,
        messages: Iterable[MailMessage],
        *,
        create_contacts: bool = False,
        include_lists: bool = False,
        dry_run: bool = False,
        verb: str = "synced",
    ) -> MailRun:
        """Log parsed messages (``tinycrm.mail.parse_message``) in one transaction:
        internal, list and contactless mail is skipped (see ``MailRun.skipped``), a
        message already logged for a contact is not logged again."""
        from tinycrm.store.mail_log import log_messages

        settings = self._store.settings().mail
        return log_messages(
            self._store,
            messages,
            own_addresses=settings.own_addresses,
            own_domains=settings.own_domains,
            create_contacts=create_contacts,
            include_lists=include_lists,
            dry_run=dry_run,
            verb=verb,
        )

    def import_paths(
        self,
        paths: Iterable[str | PathLike[str]],
        *,
        create_contacts: bool = False,
        include_lists: bool = False,
        dry_run: bool = False,
    ) -> MailRun:
        """Log the messages of Maildir folders, mbox files and ``.eml`` files. A path
        that holds no mail refuses the whole run (``MailSourceError``), nothing logged."""
        from tinycrm.mail.sources import MailSourceError

        targets = [Path(p) for p in paths]
        for path in targets:
            if not path.exists():
                raise MailSourceError(f"{path}: no such file or folder")
        return self.log(
            _parsed(targets),
            create_contacts=create_contacts,
            include_lists=include_lists,
            dry_run=dry_run,
            verb="imported",
        )


def _parsed(paths: list[Path]) -> Iterator[MailMessage]:
    from tinycrm.mail.message import parse_message
    from tinycrm.mail.sources import MailSourceError, read_messages

    try:
        for _where, data in read_messages(paths):
            yield parse_message(data)
    except OSError as exc:
        name = exc.filename or (paths[0] if paths else "")
        raise MailSourceError(f"{name}: cannot read ({exc.strerror or exc})") from None
