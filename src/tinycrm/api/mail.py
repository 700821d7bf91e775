"""``crm.mail``: mail into the CRM (``tinycrm mail import`` and ``tinycrm mail sync``):
each message an email activity for every known contact on it, once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from tinycrm.api.settings import usable
from tinycrm.errors import TinyCrmError

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.mail.imap import Account
    from tinycrm.mail.message import MailMessage
    from tinycrm.mail.sources import Skipped
    from tinycrm.store.engine import Store
    from tinycrm.store.mail_log import MailRun
    from tinycrm.store.mail_sync import MailSync

BATCH = 100  # messages per transaction in a sync
RETRIES = 3  # times a folder is read from one checkpoint that another sync keeps moving


@dataclass
class FolderRun:
    """One folder of a sync: how many new messages it had, and whether it was read
    again from the start (its UIDVALIDITY changed)."""

    folder: str
    new: int = 0  # messages read: those above the checkpoint (all of them, from the start)
    reread: bool = False  # its UIDVALIDITY changed, or its UIDs restarted below the checkpoint
    renumbered: bool = False  # the latter: UIDNEXT at or below the checkpoint's last UID
    from_start: bool = False


@dataclass
class SyncRun:
    """What ``crm.mail.sync()`` did: ``run`` as for an import, and each folder."""

    account: str
    run: MailRun
    folders: list[FolderRun] = field(default_factory=list)


class SyncInterrupted(KeyboardInterrupt):
    """Ctrl-C or TERM during a sync: the batches logged before it stay logged (their
    checkpoints with them) and the run's feed event is written; ``result`` says what
    was done."""

    def __init__(self, result: SyncRun) -> None:
        super().__init__("interrupted")
        self.result = result


class Mail:
    """Messages logged as email activities. Own addresses and internal domains come
    from the config file's ``[mail]`` table (``own_addresses``, ``own_domains``, and
    ``[mail.imap] user`` when it is an address), and so does ``create_contacts_max``
    (``create_contacts`` adds no one from a message with more people on it)."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        self._store = store
        self._config = config  # None: the config file as it is now (api.settings.usable)

    def log(
        self,
        messages: Iterable[MailMessage],
        *,
        create_contacts: bool = False,
        include_lists: bool = False,
        dry_run: bool = False,
        verb: str = "synced",
        undelete: bool = False,
    ) -> MailRun:
        """Log parsed messages (``tinycrm.mail.parse_message``) in one transaction:
        internal, list and contactless mail is skipped (see ``MailRun.skipped``), a
        message already logged for a contact is not logged again, nor one whose email
        was deleted for them (``activities.remove``; ``MailRun.deleted`` counts them)
        unless ``undelete``."""
        from tinycrm.store.mail_log import log_messages

        settings = usable(self._config).mail
        return log_messages(
            self._store,
            messages,
            own_addresses=settings.own,
            own_domains=settings.own_domains,
            create_contacts=create_contacts,
            include_lists=include_lists,
            dry_run=dry_run,
            verb=verb,
            create_max=settings.create_contacts_max,
            undelete=undelete,
        )

    def import_paths(
        self,
        paths: Iterable[str | PathLike[str]],
        *,
        create_contacts: bool = False,
        include_lists: bool = False,
        dry_run: bool = False,
        undelete: bool = False,
    ) -> MailRun:
        """Log the messages of Maildir folders, mbox files, ``.eml`` files and Apple Mail's
        ``.emlx`` files (a ``.partial.emlx`` from its header alone, saying so). A path
        that holds no mail refuses the whole run (``MailSourceError``), nothing logged; a
        message file under one that is not read (a link to none, a pipe, a device; no
        mail; one that cannot be read) is counted as read and skipped (in ``skipped`` by
        reason, and in ``files_skipped`` with where it is), the others logged. A message
        over 50 MB is logged from its header alone, from any source. A message whose email
        was deleted from the CRM is not logged again unless ``undelete``."""
        from tinycrm.mail.sources import MailSourceError

        targets = [Path(p) for p in paths]
        for path in targets:
            try:
                found = path.exists()
            except OSError as exc:  # a name longer than the file system takes
                from tinycrm.safetext import quoted

                raise MailSourceError(f"{quoted(str(path))}: {exc.strerror or exc}") from None
            if not found:
                raise MailSourceError(f"{path}: no such file or folder")
        skipped: list[tuple[str, Skipped]] = []  # message files not read (see read_messages)
        run = self.log(
            _parsed(targets, skipped),
            create_contacts=create_contacts,
            include_lists=include_lists,
            dry_run=dry_run,
            verb="imported",
            undelete=undelete,
        )
        run.read += len(skipped)
        for where, why in skipped:
            run.skipped[why.reason] += 1
            run.files_skipped.append((where, str(why)))
        return run

    def sync(
        self,
        *,
        folders: Sequence[str] | None = None,
        create_contacts: bool = False,
        include_lists: bool = False,
        dry_run: bool = False,
        batch: int = BATCH,
        from_start: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> SyncRun:
        """Log the new mail of the IMAP account in ``[mail.imap]`` (its ``folders``, or
        INBOX and the Sent folder; ``folders`` here overrides them), as ``import_paths``
        logs files: the same rules, once per message across folders, files and runs.

        Each folder is read from its checkpoint on, ``batch`` messages per transaction
        with the checkpoint's advance; a changed UIDVALIDITY reads the folder again
        (what was logged stays logged once); so does ``from_start`` for every folder
        (after changing own_domains, or with ``create_contacts`` for mail skipped before:
        the checkpoint does not move back). One feed event for the run. Raises
        ``MailSyncError`` (one line) when the account cannot be read, and
        :class:`SyncInterrupted` on Ctrl-C, after the event for what was logged.
        ``progress(folder, done, total)`` is called after each batch."""
        from tinycrm.mail.imap import MailSyncError, connect, get_password
        from tinycrm.store.mail_sync import MailSync

        config = usable(self._config)
        settings = config.mail.imap
        if settings is None:
            raise MailSyncError(
                f"no [mail.imap] in the config file ({config.path}): "
                "add host, user and password_cmd (the README's Mail section shows how)"
            )
        if not 1 <= batch <= 10_000:
            raise MailSyncError(f"batch must be from 1 to 10000 messages, not {batch}")
        password = get_password(settings)
        sync = MailSync(
            self._store,
            own_addresses=config.mail.own,
            own_domains=config.mail.own_domains,
            create_contacts=create_contacts,
            include_lists=include_lists,
            dry_run=dry_run,
            create_max=config.mail.create_contacts_max,
        )
        account = connect(settings, password)
        result = SyncRun(account=account.key, run=sync.run)
        clean = False
        try:
            for name in account.folders(folders or settings.folders):
                _sync_folder(account, sync, name, batch, from_start, progress, result.folders)
            clean = True
        except KeyboardInterrupt as exc:
            sync.finish()
            raise SyncInterrupted(result) from exc
        except MailSyncError as exc:  # a lost connection, say: what was logged stays
            sync.finish()
            if not sync.run.read:
                raise
            raise MailSyncError(f"{exc} (before it: {sync.run.summary()})") from None
        except TinyCrmError:
            # The store refused a batch (a database locked by another writer, say): the
            # batches before it stay logged, and so does their event when the database
            # takes it; the store's error is the one told.
            with suppress(TinyCrmError):
                sync.finish()
            raise
        finally:
            account.close(clean=clean)
        sync.finish()
        return result


def _sync_folder(
    account: Account,
    sync: MailSync,
    name: str,
    batch: int,
    from_start: bool,
    progress: Callable[[str, int, int], None] | None,
    runs: list[FolderRun],
) -> FolderRun:
    """Read one folder from its checkpoint on (see ``Mail.sync``); its FolderRun is in
    ``runs`` from when its new messages are counted (a sync stopped in it tells it)."""
    from tinycrm.mail.imap import MailSyncError
    from tinycrm.mail.message import parse_message
    from tinycrm.store.mail_sync import Checkpoint, CheckpointMoved, read_checkpoint

    tries: Counter[Checkpoint | None] = Counter()
    logged = 0  # messages of the batches logged before another sync moved the checkpoint
    while True:
        state = account.examine(name)
        since = read_checkpoint(sync.store, account=account.key, folder=name)
        # Another sync moving the checkpoint on is no reason to stop (each move is a
        # batch it logged); one refusing this sync while it stays where it is, is.
        tries[since] += 1
        if tries[since] > RETRIES:
            raise MailSyncError(
                f"another mail sync keeps reading {name}: try again when it is done"
            )
        # numbered anew under the same UIDVALIDITY (a server restored from a backup,
        # against RFC 3501): every UID is below UIDNEXT, the checkpoint is not
        renumbered = (
            since is not None
            and since.uidvalidity == state.uidvalidity
            and state.uidnext is not None
            and since.last_uid >= state.uidnext
        )
        reread = renumbered or (since is not None and since.uidvalidity != state.uidvalidity)
        reached = since.last_uid if since is not None and not reread else 0
        uids = account.new_uids(0 if from_start else reached)
        folder = FolderRun(name, new=logged + len(uids), reread=reread, from_start=from_start,
                           renumbered=renumbered)  # fmt: skip
        if runs and runs[-1].folder == name:  # read again behind another sync
            runs[-1] = folder
        else:
            runs.append(folder)
        current, done = since, 0
        try:
            if not uids and (since is None or reread):  # remember the folder as it is
                sync.log_batch([], account=account.key, folder=name, since=since,
                               until=Checkpoint(state.uidvalidity, 0))  # fmt: skip
            for last, raws in account.fetch(uids, batch):
                until = Checkpoint(state.uidvalidity, max(last, reached))  # never back
                messages = [
                    parse_message(f.raw, received=f.internaldate) for f in raws if f.raw is not None
                ]
                gone = sum(f.gone for f in raws)
                sync.log_batch(messages, account=account.key, folder=name, since=current,
                               until=until, unreadable=len(raws) - len(messages) - gone,
                               gone=gone)  # fmt: skip
                current = until
                done += len(raws)
                if progress is not None:
                    progress(name, done, len(uids))
        except CheckpointMoved:  # another sync logged some of it first: go on from there
            logged += done
            continue
        return folder


PARTIAL_NOTE = (
    "[Apple Mail had downloaded part of this message only (a .partial.emlx file): "
    "its header is logged, not its text]"
)


def _parsed(paths: list[Path], skipped: list[tuple[str, Skipped]]) -> Iterator[MailMessage]:
    """The messages under ``paths``; each message file not read is added to ``skipped``
    with where it was found."""
    from tinycrm.mail.message import parse_message
    from tinycrm.mail.sources import Head, MailSourceError, Partial, Skipped, read_messages

    try:
        for where, data in read_messages(paths):
            if isinstance(data, Skipped):
                skipped.append((where, data))
            elif isinstance(data, Partial):  # its text is not all there: it says so
                message = parse_message(data, header_only=True)
                yield replace(message, body=PARTIAL_NOTE)
            else:
                yield parse_message(data, header_only=isinstance(data, Head))
    except OSError as exc:
        name = exc.filename or (paths[0] if paths else "")
        raise MailSourceError(f"{name}: cannot read ({exc.strerror or exc})") from None
