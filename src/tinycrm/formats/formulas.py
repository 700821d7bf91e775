"""The starts of a CSV cell that spreadsheets run as formulas: one list for the writers
(exports, ``--csv``, the rejected rows' report) and the reader (imports). A module of its
own, without the rest of ``values``, as every command's start-up imports it."""

# The starts of a cell a spreadsheet may take for a formula, which CSV exports escape with a
# leading ' and imports take it off again: OWASP's = + - @ TAB CR, a line feed (skipped
# before a formula after it), NUL (ASVS 1.2.10) and the full-width ＝ ＋ － ＠ (Excel in a
# Japanese or Chinese locale takes them for = + - @). Single characters, as the lines the
# database builds (store/csv_lines.py) need.
FORMULA_PREFIXES = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\x00",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)
