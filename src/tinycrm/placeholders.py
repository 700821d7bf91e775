"""Placeholders in text the user writes once and tinycrm fills in per record: a
sequence step's task (``{first_name}``), an automation rule's task (``{deal}``).

Not Python's format syntax: only ``{known}`` names are replaced, each once, and any
other brace is kept as typed (``Call {name`` or ``50% off }`` must not break every
enrollment or deal move later), nor is a value that itself holds a placeholder filled
in again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_BRACED = re.compile(r"{([^{}]*)}")


def unknown(text: str, known: Iterable[str]) -> list[str]:
    """The ``{names}`` in ``text`` that are not placeholders (a typo: ``{frist_name}``)."""
    allowed = set(known)
    return [name for name in _BRACED.findall(text) if name not in allowed]


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` of ``values`` replaced by its value."""
    return _BRACED.sub(lambda m: values.get(m.group(1), m.group(0)), text)
