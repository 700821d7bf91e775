"""Text compared in code point order on every database.

SQLite compares text by its bytes (code points); PostgreSQL in the database's collation,
which on a server set up in a language (en_US.UTF-8, an ICU locale) passes over
punctuation and puts lower case first: '_x' and '~x' came before '0x', 'a10' before 'B1'.
``code_points(column)`` in an ORDER BY (or a MIN) reads that column in the ``C``
collation there (code points, as SQLite), and as it is on SQLite. Where an index must give
the order, declare the column in that collation instead (``models.SORT_KEY``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class code_points(ColumnElement[Any]):
    """``expression`` compared in code point order (``COLLATE "C"`` on PostgreSQL)."""

    inherit_cache = True
    _traverse_internals = [("clause", InternalTraversal.dp_clauseelement)]

    def __init__(self, expression: Any) -> None:
        self.clause = coercions.expect(roles.ExpressionElementRole, expression)
        self.type = self.clause.type


@compiles(code_points)
def _as_it_is(element: code_points, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clause, **kw))


@compiles(code_points, "postgresql")
def _in_c(element: code_points, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.clause, **kw)} COLLATE "C"'
