"""The report of the rows an import rejected, in the input's own format, to fix and import.

A CSV input's report is CSV (``line`` and ``reason`` columns before the row's own), a
JSON one's JSON (an array for an array, JSON lines for lines; each record with ``line``
and ``reason`` keys first), a vCard file's vCards (each card with an
``X-TINYCRM-REJECTED`` property): import passes over what the report adds, so the
report, once fixed, imports as the input would have.
"""

from __future__ import annotations

import csv
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tinycrm.cli import output as out
from tinycrm.formats.csvfile import UNENCODABLE
from tinycrm.formats.mapping import REPORT_COLUMNS

SUFFIXES = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl", "vcard": ".vcf"}


class ErrorReport:
    """Rejected rows, written as they come: line, reason, then the row as it was.

    The rows go to a temporary file beside the report (0600: they hold names, emails,
    whole vCards) that becomes the report when the import succeeds, and is removed when
    the import as a whole fails (nothing was imported, so it would only mislead). When
    the report cannot be written (a read-only folder, a full disk) the import goes on:
    ``failed`` says why, and the summary lists the first rejected rows instead.
    ``form``: the input's format (``csv``, ``json``, ``jsonl`` or ``vcard``), the report's;
    ``dialect``: a CSV input's encoding and delimiter, the report's (what made the input
    opens the report as it did the input: Excel reads a UTF-16 file as tab-separated, a
    German one a CSV as semicolon-separated). UTF-8 and UTF-16 are written with a BOM,
    for Excel; a character the input's encoding has no byte for (only a reason can hold
    one) is written as ``?``.
    """

    def __init__(
        self,
        path: Path,
        header: list[str],
        source: str,
        *,
        write: bool = True,
        form: str = "csv",
        dialect: tuple[str, str] | None = None,
    ) -> None:
        self.path = path
        self.write = write
        self.header = header
        self.source = source
        self.form = form
        self.encoding, self.delimiter = _report_dialect(dialect or ("utf-8", ","))
        self.count = 0
        self.shown: list[str] = []
        self.failed: str | None = None
        self._stack: ExitStack | None = None
        self._handle: Any = None
        self._writer: Any = None
        # the columns of the report this file is (imported again), left out of this one
        self._own = len(REPORT_COLUMNS) if tuple(header[:2]) == REPORT_COLUMNS else 0

    def add(self, line: int, reason: str, raw: Any) -> None:
        self.count += 1
        if len(self.shown) < 10:
            self.shown.append(f"line {line}: {reason}")
        if not self.write or self.failed:
            return
        from tinycrm.files import CannotWrite, open_output

        try:
            if self._stack is None:
                self._stack = ExitStack()
                encoding = self.encoding if self.form == "csv" else "utf-8"
                handle = open_output(self.path, encoding=encoding, errors=UNENCODABLE)
                self._handle = self._stack.enter_context(handle)
                if self.form == "csv":
                    self._writer = csv.writer(self._handle, delimiter=self.delimiter)
                    header = (out.csv_safe(h) for h in self.header[self._own :])
                    self._writer.writerow([*REPORT_COLUMNS, *header])
                elif self.form == "json":
                    self._handle.write("[")
            cells = raw if isinstance(raw, list) else [raw]
            if self.form == "csv":
                cells = cells[self._own :]  # a report's: this line and reason, not those
                self._writer.writerow([line, reason, *(out.csv_safe(c) for c in cells)])
            elif self.form == "vcard":
                from tinycrm.formats.vcard import rejected_card

                self._handle.write(rejected_card(line, reason, str(cells[0])))
            else:
                from tinycrm.formats.jsonrows import rejected_record

                record = rejected_record(line, reason, str(cells[0]))
                if self.form == "json":
                    record = ("\n  " if self.count == 1 else ",\n  ") + record
                self._handle.write(record if self.form == "json" else record + "\n")
        except (CannotWrite, OSError) as exc:
            self.failed = str(exc) if isinstance(exc, CannotWrite) else exc.strerror or str(exc)
            self._discard()

    def _discard(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            stack.__exit__(_Discarded, _Discarded(), None)

    def close(self, *, keep: bool) -> None:
        from tinycrm.files import CannotWrite

        if not keep:
            self._discard()
            return
        if self._stack is not None:
            try:
                if self.form == "json":
                    self._handle.write("\n]\n")
            except OSError as exc:
                self.failed = exc.strerror or str(exc)
                self._discard()
                return
            stack, self._stack = self._stack, None
            try:
                stack.close()
            except CannotWrite as exc:
                self.failed = str(exc)


def _report_dialect(dialect: tuple[str, str]) -> tuple[str, str]:
    """The encoding and delimiter of the report of a CSV file read as ``dialect``."""
    encoding, delimiter = dialect
    if encoding in ("utf-8", "utf-8-sig"):
        return "utf-8-sig", delimiter
    for wide in ("utf-16", "utf-32"):  # with a BOM, whatever the input had
        if encoding.startswith(wide):
            return wide, delimiter
    return encoding, delimiter


class _Discarded(Exception):
    """Thrown into the report's writer to remove its temporary file."""


def report_path(file: str, errors: Path | None, form: str = "csv") -> Path:
    """Where the report of ``file`` goes: ``--errors``, else ``FILE.errors.csv`` (``.json``,
    ``.jsonl``, ``.vcf``) beside it; in the current folder for stdin and ``<(…)``."""
    if errors is not None:
        return errors
    suffix = ".errors" + SUFFIXES[form]
    if file == "-":
        return Path("stdin" + suffix)
    path = Path(file)
    folder = Path(os.path.realpath(path.expanduser().parent))
    if folder.is_relative_to("/dev") or folder.is_relative_to("/proc"):
        return Path(path.stem + suffix)  # /dev/stdin, <(…)'s /dev/fd/63: as for -
    return path.with_name(path.stem + suffix)
