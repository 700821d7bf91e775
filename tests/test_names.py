"""Names as duplicate detection compares them: nicknames, initials, transliterations,
reordered words, then rapidfuzz."""

from __future__ import annotations

import pytest

from tinycrm.names import NameKey, fold, nicknames, similar_names


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Jon", "Jonathan"),
        ("Bob", "Robert"),
        ("Bill", "William"),
        ("Liz", "Elizabeth"),
        ("Kate", "Katherine"),
        ("Mike", "Michael"),
        ("Alex", "Alexander"),
    ],
)
def test_nicknames_come_from_the_maintained_table(short: str, full: str) -> None:
    assert full.lower() in nicknames(short) or short.lower() in nicknames(full)
    assert similar_names(f"{short} Smith", f"{full} Smith") == "same name but for a nickname"
    assert similar_names(f"Smith, {short}", f"{full} Smith") == "same name but for a nickname"


def test_the_table_is_more_than_a_hand_list() -> None:
    assert len({n for n in ("peggy", "ted", "dick", "hank", "sally", "jim") if nicknames(n)}) == 6
    assert "margaret" in nicknames("Peggy")


def test_transliterations_fold_alike() -> None:
    assert fold("Jürgen") == fold("Juergen") == fold("JURGEN")
    assert fold("Müller") == fold("Mueller") == fold("Muller")
    assert fold("Weiß") == fold("Weiss")


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("Jürgen Müller", "JURGEN MULLER", "same name"),
        ("Juergen Mueller", "Jürgen Müller", "same name, transliterated"),
        ("Müller Jürgen", "Jürgen Müller", "same name, words reordered"),
        ("Smith, John", "John Smith", "same name, words reordered"),
        ("J. Smith", "John Smith", "same name but for an initial or middle name"),
        ("Smith, J.", "John Smith", "same name but for an initial or middle name"),
        ("Jürgen K. Müller", "Jürgen Müller", "same name but for an initial or middle name"),
        ("Katherine Smith", "Kathryn Smith", "similar names (86% alike)"),
        ("Ada Lovelace", "Charles Babbage", None),
        ("Anna Berg", "Otto Berg", None),
        ("Al Smith", "Bert Smith", None),  # both nicknames of Albert, not of each other
        ("J.", "John Smith", None),
    ],
)
def test_similar_names(a: str, b: str, why: str | None) -> None:
    assert similar_names(a, b) == why
    assert similar_names(b, a) == why


def test_every_rule_implies_a_shared_block() -> None:
    pairs = [
        ("J. Smith", "John Smith"),
        ("Juergen Mueller", "Jürgen Müller"),
        ("Smith, Bob", "Robert Smith"),
        ("Katherine Smyth", "Kathryn Smith"),
    ]
    for a, b in pairs:
        assert NameKey.of(a).blocks & NameKey.of(b).blocks, (a, b)
    assert not NameKey.of("Ada Lovelace").blocks & NameKey.of("Charles Babbage").blocks
