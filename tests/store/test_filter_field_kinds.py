"""The filter language's fields compared with what a user may type past any stored value."""

from __future__ import annotations

from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.deals import add_deal, list_deals


def test_a_number_beyond_64_bits_equals_nothing_and_differs_from_everything(store) -> None:
    """``probability=-9223372036854775809`` (past what any column holds) listed every deal,
    and ``!=`` with it none: a number below every stored one was taken as "less than" for
    ``=`` too."""
    add_company(store, name="Acme", size=250)
    add_contact(store, name="Ada Lovelace")
    add_deal(store, title="Big deal", amount="100")
    for huge in ("-9223372036854775809", "-18446744073709551616", "18446744073709551616",
                 "-99999999999999999999999999"):  # fmt: skip
        assert list_deals(store, where=f"probability={huge}") == [], huge
        assert [d.title for d in list_deals(store, where=f"probability!={huge}")] == ["Big deal"]
        assert list_contacts(store, where=f"score={huge}") == [], huge
        assert len(list_contacts(store, where=f"score!={huge}")) == 1, huge
    low, high = "-18446744073709551616", "18446744073709551616"
    assert len(list_deals(store, where=f"probability>{low}")) == 1
    assert len(list_deals(store, where=f"probability>={low}")) == 1
    assert list_deals(store, where=f"probability<{low}") == []
    assert list_deals(store, where=f"probability>{high}") == []
    assert len(list_deals(store, where=f"probability<={high}")) == 1


def test_an_amount_with_more_digits_than_decimals_hold_is_compared_exactly(store) -> None:
    """``amount=100.000000000000000000000000001`` (thirty digits) was rounded to 100 when
    made minor units (Python's decimals keep 28) and listed the €100 deal."""
    add_deal(store, title="Big deal", amount="100")
    tiny = "0.000000000000000000000000001"  # (thirty digits with 100)
    for where in (f"amount=100{tiny[1:]}", f"amount>100{tiny[1:]}", f"amount<99.9{tiny[3:]}"):
        assert list_deals(store, where=where) == [], where
    for where in (f"amount<100{tiny[1:]}", f"amount>=99.9{tiny[3:]}", f"amount!=100{tiny[1:]}",
                  "amount=100.00000000000000000000000000000"):  # fmt: skip
        assert [d.title for d in list_deals(store, where=where)] == ["Big deal"], where


def test_a_filter_day_the_calendar_lacks_says_why(store) -> None:
    """``close<2026-02-30`` was refused as 'not a date' with the general forms, leaving a
    user to wonder what was wrong with it; the message now ends with the month's length."""
    import pytest

    from tinycrm.store import Invalid

    with pytest.raises(Invalid) as err:
        list_deals(store, where="close<2026-02-30")
    assert "not '2026-02-30' (February 2026 has 28 days)" in str(err.value)


def test_a_mistyped_choice_in_a_filter_is_offered_the_nearest(store) -> None:
    """``status=wonn`` and ``activity:cal`` listed the choices but not the one meant, as
    ``deal list --status wonn`` does ('did you mean 'won'?')."""
    import pytest

    from tinycrm.store import Invalid

    for where, meant in (
        ("status=wonn", "not 'wonn', did you mean 'won'?"),
        ("lifecycle=custmer", "not 'custmer', did you mean 'customer'?"),
        ("activity:cal", "not 'cal', did you mean 'call'?"),
    ):
        lister = list_deals if where.startswith("status") else list_contacts
        with pytest.raises(Invalid) as err:
            lister(store, where=where)
        assert meant in str(err.value), where
