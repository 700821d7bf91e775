"""Search finds the same records on SQLite and PostgreSQL however odd the text: letters
in circles, words longer than PostgreSQL's index takes."""

from __future__ import annotations

from typing import Any

import pytest

from tinycrm.store.activities import log_activity
from tinycrm.store.contacts import add_contact
from tinycrm.store.search import search


def found(store: Any, text: str, **kwargs: Any) -> list[tuple[str, str]]:
    return sorted((hit.kind, hit.name) for hit in search(store, text, **kwargs))


def test_letters_and_numbers_in_circles_are_found_as_the_plain_ones_on_both(store) -> None:
    """SQLite folds Ⓐ to a and ① to 1 (as a reader reads them); PostgreSQL kept them, so
    "ada" found "Ⓐda" on SQLite only, and "Ⓐda" itself (typed: "Ada") on neither there."""
    ada = add_contact(store, name="Ⓐda Ⓛovelace", notes="room ⑫ shelf ⒜ step ⒈ item ⑴ ⓩ x⓭y")
    log_activity(store, kind="note", ref=str(ada.id), text="Ⓝote ①②③", body="ⓜinutes")
    contact, note = ("contact", "Ⓐda Ⓛovelace"), ("activity", "Ⓝote ①②③")
    wrong = []
    for query, hits in [
        ("ada", [contact, note]), ("Ⓐda", [contact, note]), ("lovel", [contact, note]),
        ('"ada lovelace"', [contact, note]), ("12", [contact, note]), ("room 12", [contact]),
        ('"shelf a step 1 item 1 z"', [contact]), ("note", [note]), ("123", [note]),
        ("①②③", [note]), ("minutes", [note]), ("ⓜin", [note]), ("x13y", [contact]),
        ("x⓭", [contact]), ('"x⓭y"', [contact]),
    ]:  # fmt: skip
        if found(store, query) != sorted(hits):
            wrong.append((query, found(store, query)))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_a_word_too_long_for_postgresqls_index_is_left_out_on_both(store) -> None:
    """PostgreSQL leaves a word of over 2,047 bytes out of its index; SQLite kept it, so
    the record was found by it there only. Both leave it out now, and find the record by
    its other words, the phrases around it too (as if it were not there, as PostgreSQL
    has it); a searched word that long is passed over."""
    long = "x" * 2048
    wide = "ж" * 1024  # two bytes a letter: 2,048
    fits = "ж" * 1023
    far = "𠀀" * 512  # four bytes a letter (a search is at most 1,000 characters)
    holder = add_contact(store, name="Key Holder", notes=f"key {long} rotated; {wide} done")
    log_activity(store, kind="note", ref=str(holder.id), text="Token",
                 body=f"renewal {far} signed {fits} kept")  # fmt: skip
    contact, note = ("contact", "Key Holder"), ("activity", "Token")
    wrong = []
    for query, hits in [
        ("rotated", [contact]), ('"key rotated"', [contact]), ("done", [contact]),
        ("renewal", [note]), ('"renewal signed"', [note]), ("kept", [note]),
        ("xxxx", []), (long[:1000], []), (wide[:1000], [note]), ("жж", [note]),
        (fits[:1000], [note]), (far, []), (f"renewal {far}", [note]),
        (f"{far} signed", [note]), (f'"renewal {far} signed"', [note]),
    ]:  # fmt: skip
        if found(store, query) != sorted(hits):
            wrong.append((query[:40], found(store, query)))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_bytes_that_are_not_utf8_are_refused_as_a_lists_search_refuses_them(store) -> None:
    """Bytes that are not UTF-8 on the command line reach tinycrm as lone surrogates:
    ``search 'ada\\xff'`` searched for "ada" as if they were not there, and ``search
    '\\xff'`` said there was nothing to search for; ``contact list --search`` refuses
    them, saying why. Search says the same now."""
    import pytest

    from tinycrm.store import Invalid

    add_contact(store, name="Ada Lovelace")
    for query in ("ada\udcff", "\udcff", '"ada \udcc3"'):
        with pytest.raises(Invalid, match="text holds bytes that are not UTF-8"):
            search(store, query)
    assert found(store, "ada") == [("contact", "Ada Lovelace")]


# The blocks whose characters the two databases folded apart (SQLite: NFKD, case and
# marks off; PostgreSQL: unaccent's rules, or a translate() of a few blocks)
_FOLDED_APART = [
    (0xA0, 0x100),  # ©, ®, ², ¼, ª, µ
    (0x2B0, 0x300),  # modifier letters (ʰ, ˡ)
    (0x620, 0x628),  # Arabic letters with hamza and madda (آ)
    (0x929, 0x935),  # Devanagari letters with a nukta (ऩ, ऱ)
    (0x958, 0x960),
    (0x1D2C, 0x1D6B),  # modifier letters (ᴬ, ᵃ)
    (0x2070, 0x20A0),  # superscripts and subscripts (x², H₂O)
    (0x2100, 0x2150),  # letterlike symbols (℃, №, ℡, ℌ)
    (0x2150, 0x2190),  # number forms (⅓, Ⅻ, ⅻ)
    (0x2776, 0x2794),  # dingbat numbers in circles (❶, ➀, ➊)
    (0x2E80, 0x2FE0),  # CJK radicals (⺀, ⼀)
    (0x3200, 0x3400),  # enclosed CJK letters, CJK compatibility (㈱, ㎏, ㍿)
    (0xAC00, 0xAC40),  # Hangul syllables (가: SQLite reads its letters)
    (0xF900, 0xF920),  # CJK compatibility ideographs
    (0x1D400, 0x1D800),  # mathematical letters and digits (𝐀𝐝𝐚, 𝟙)
    (0x1F100, 0x1F1AE),  # enclosed alphanumeric supplement (🄐, 🅰)
]


def _both(request: pytest.FixtureRequest, tmp_path: Any) -> tuple[Any, Any]:
    import shutil

    from tests.conftest import PG_URL, _reset_pg
    from tinycrm.store.engine import open_store

    if not PG_URL:
        pytest.skip("TINYCRM_TEST_PG_URL not set: one database to compare")
    path = tmp_path / "store.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    url = request.getfixturevalue("pg_schema_url")
    _reset_pg(url)
    return open_store(str(path), user="tester"), open_store(url, user="tester")


@pytest.fixture
def both(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """The same empty store on SQLite and on PostgreSQL."""
    stores = _both(request, tmp_path)
    yield stores
    for store in stores:
        store.close()


def test_characters_of_the_blocks_folded_apart_find_the_same_records_on_both(both) -> None:
    """x², 𝐀𝐝𝐚, ❶, ⼈, ©, 가: a record holding them is found by the same searches on
    SQLite and PostgreSQL (each character in a word, alone, and searched for as typed
    and as its plain letters)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tinycrm.search_text import fold

    chars = st.one_of(*(st.integers(low, high - 1) for low, high in _FOLDED_APART)).map(chr)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(chars, min_size=1, max_size=4, unique=True))
    def check(drawn: list[str]) -> None:
        for store in both:
            with store.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM contact")
            for c in drawn:
                add_contact(store, name=f"ab{c}cd {c} {c}{c}x", email=f"{ord(c)}@x.example")
        queries = {q for c in drawn for q in (c, f"ab{c}", f"ab{c}cd", f"{c}cd", f'"{c}"',
                                              fold(c), f"ab{fold(c)}cd", f"{c}{c}")}  # fmt: skip
        differ = {q: [found(s, q) for s in both] for q in sorted(queries)
                  if found(both[0], q) != found(both[1], q)}  # fmt: skip
        assert differ == {}

    check()


def test_a_format_character_inside_a_word_is_read_as_nothing_typed_or_stored(store) -> None:
    """A zero-width space (or joiner, soft hyphen, direction mark) pasted inside a word
    cut it in two: "Mül\\u200bler" was looked for as "Mül" and "ler" and found nothing;
    stored, it kept the word from being found on PostgreSQL (whose parser split there)
    and was part of it on SQLite. Both read it as nothing now, typed or stored."""
    add_contact(store, name="Jürgen Müller", notes="co\u00adoperation")
    add_contact(store, name="Ze\u200bnon Corp", notes="sha\u2060lom x")
    jurgen, zenon = ("contact", "Jürgen Müller"), ("contact", "Ze\u200bnon Corp")
    wrong = []
    for query, hits in [
        ("Mül\u200bler", [jurgen]), ("mu\u200dller", [jurgen]), ("müller", [jurgen]),
        ("cooperation", [jurgen]), ("co\u00adop", [jurgen]), ("zenon", [zenon]),
        ("ze\u200bnon corp", [zenon]), ('"zenon corp"', [zenon]), ("shalom", [zenon]),
        ("ze", [zenon]), ("non", []),
    ]:  # fmt: skip
        if found(store, query) != sorted(hits):
            wrong.append((query, found(store, query)))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_marks_keep_a_word_whole_and_symbols_split_it_on_both(store) -> None:
    """SQLite's tokenizer split a word at a vowel sign ("या" found "प्रिया" there only) and
    kept an emoji or a symbol its tables do not know inside one ("team" found
    "Sales🚀Team" on PostgreSQL only); PostgreSQL's parser split at ❶, which SQLite kept
    as a digit. Both read words alike now: marks inside, symbols between, ❶ as 1."""
    add_contact(store, name="प्रिया शर्मा", notes="Sales🚀Team, launch⚡plan")
    add_contact(store, name="Room ❶ B", notes="step ➋ of ፫ 🅐gent")
    priya, room = ("contact", "प्रिया शर्मा"), ("contact", "Room ❶ B")
    wrong = []
    for query, hits in [
        ("प्रिया", [priya]), ("प्रि", [priya]), ("शर्मा", [priya]), ("या", []), ("र्मा", []),
        ("team", [priya]), ("sales", [priya]), ("plan", [priya]), ("launch", [priya]),
        ("❶", [room]), ("room 1", [room]), ('"room 1 b"', [room]), ("➋", [room]),
        ('"step 2 of 3"', [room]), ("agent", [room]), ("🅐gent", [room]),
    ]:  # fmt: skip
        if found(store, query) != sorted(hits):
            wrong.append((query, found(store, query)))
    assert wrong == [], "\n".join(map(repr, wrong))
