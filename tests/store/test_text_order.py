"""Every list ordered by a text (tags, custom field keys, segment, sequence and product
names, a shell's completion candidates, a report's spelling of a touch) reads in code
point order on both databases, a PostgreSQL database made in a language's locale too."""

from __future__ import annotations

from typing import Any

import pytest

from tinycrm.store.completion import candidates
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.exports import iter_contacts
from tinycrm.store.products import add_product, list_products
from tinycrm.store.reports.customers import sources_report
from tinycrm.store.segments import list_segments, save_segment
from tinycrm.store.sequences import add_sequence, list_sequences
from tinycrm.store.tags import list_field_keys, list_tags
from tinycrm.store.validate import key

from ..conftest import PG_URL

# Words a language's collation (en_US, ICU's en-US) orders otherwise than code points do:
# punctuation it passes over or puts first, an emoji, digits, case, accents, scripts.
WORDS = ("~tilde", "_under", "-dash", "!bang", "#hash", "😀smile", "9nine", "a-b", "a_b",
         "B1", "a10", "a2", "Ångström", "émile", "Emile", "ß", "Ωmega", "中文", "zed")  # fmt: skip
KEYS = ("_under", "a-b", "a_b", "a.b", "ab", "B1", "a10", "a2", "Emile", "zed")  # a field's


def _check_text_orders(store: Any, url: str | None = None) -> None:
    add_contact(store, name="Tagged", tags=list(WORDS), fields=dict.fromkeys(KEYS, "x"))
    add_contact(store, name="Lower", source="linkedin")
    add_contact(store, name="Upper", source="LinkedIn")
    for word in WORDS:
        save_segment(store, name=word, expression="tag:newsletter")
        add_sequence(store, name=word, steps=[(1, "Ping")])
        add_product(store, name=word, price="1")

    contact = get_contact(store, "Tagged")
    assert contact.tags == sorted(contact.tags) and len(contact.tags) == len(WORDS)
    assert list(contact.fields) == sorted(contact.fields) and len(contact.fields) == len(KEYS)
    exported = next(c for c in list(iter_contacts(store)) if c.name == "Tagged")
    assert exported.tags == contact.tags and list(exported.fields) == list(contact.fields)
    tags = [t.name for t in list_tags(store)]
    assert tags == sorted(tags) == contact.tags
    keys = [f.key for f in list_field_keys(store)]
    assert keys == list(contact.fields)

    by_key = sorted(WORDS, key=key)
    assert [s.name for s in list_segments(store)] == by_key
    assert [s.name for s in list_sequences(store)] == by_key
    assert [p.name for p in list_products(store)] == by_key

    # the touch's one spelling is the first in code point order ('L' before 'l')
    sources = {line.source for line in sources_report(store).rows if line.touch == "first"}
    assert "LinkedIn" in sources and "linkedin" not in sources

    if url is not None:  # a shell's Tab: the first screen of candidates in that order too
        offered = [value for value, _ in candidates(url, "tag", "")]
        assert offered == sorted(offered) == contact.tags


def test_texts_sort_in_code_point_order_on_every_database(store) -> None:
    """Tags, field keys, segments, sequences, products: code point order on SQLite and
    PostgreSQL alike."""
    _check_text_orders(store)


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_a_language_collated_postgresql_database_sorts_texts_as_sqlite_does() -> None:
    """On a database made in en-US, tags, field keys, segment, sequence and product names
    and a shell's completions were in the language's order ('_under' and '~tilde' before
    '9nine', 'a10' before 'B1' before 'a2'... as SQLite has them), and a report showed the
    touch 'LinkedIn' as 'linkedin'. They are in code point order there too."""
    from tinycrm.store.engine import open_store

    from .migration_helpers import language_collated_database

    with language_collated_database("tinycrm_texts") as url:
        store = open_store(url, user="tester")
        try:
            _check_text_orders(store, url)
        finally:
            store.close()
