"""The filter language's grammar: precedence, quoting, operators, errors with positions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm import filters
from tinycrm.filters import (
    ActivityTest,
    And,
    CampaignTest,
    Comparison,
    ContactTest,
    FieldTest,
    FilterError,
    Not,
    Or,
    SegmentTest,
    TagTest,
    Value,
    Word,
    is_expression,
    parse,
    unparse,
)


def shape(node: filters.Node) -> object:
    """A tree without positions, for comparing structure."""
    if isinstance(node, And | Or):
        return (type(node).__name__, tuple(shape(n) for n in node.operands))
    if isinstance(node, Not):
        return ("not", shape(node.operand))
    if isinstance(node, Comparison):
        return (node.field, node.op, node.value.text)
    if isinstance(node, Word):
        return ("search", node.text) if node.quoted else ("flag", node.name)
    if isinstance(node, TagTest):
        return ("tag", node.tag.text)
    if isinstance(node, FieldTest):
        return ("field", node.key.text, node.op, node.value.text if node.value else None)
    if isinstance(node, ContactTest):
        return ("contact", node.text.text)
    if isinstance(node, SegmentTest):
        return ("segment", node.op, node.name.text)
    if isinstance(node, CampaignTest):
        return ("campaign", node.name.text, node.op, node.status.text if node.status else None)
    assert isinstance(node, ActivityTest)
    within = node.within.text if node.within else None
    count = node.count.text if node.count else None
    return ("activity", node.kind.text, within, node.op, count)


def error(text: str, **options: int) -> FilterError:
    with pytest.raises(FilterError) as caught:
        parse(text, **options)
    return caught.value


# --------------------------------------------------------------------------- structure


def test_the_example_from_the_issue() -> None:
    node = parse(
        "lifecycle=lead and score>=10 and tag:enterprise and city=Berlin and last_contacted>30d"
    )
    assert shape(node) == (
        "And",
        (
            ("lifecycle", "=", "lead"),
            ("score", ">=", "10"),
            ("tag", "enterprise"),
            ("city", "=", "Berlin"),
            ("last_contacted", ">", "30d"),
        ),
    )


def test_and_binds_tighter_than_or() -> None:
    assert shape(parse("a=1 or b=2 and c=3")) == (
        "Or",
        (("a", "=", "1"), ("And", (("b", "=", "2"), ("c", "=", "3")))),
    )
    assert shape(parse("a=1 and b=2 or c=3")) == (
        "Or",
        (("And", (("a", "=", "1"), ("b", "=", "2"))), ("c", "=", "3")),
    )


def test_parentheses_override_precedence() -> None:
    assert shape(parse("(a=1 or b=2) and c=3")) == (
        "And",
        (("Or", (("a", "=", "1"), ("b", "=", "2"))), ("c", "=", "3")),
    )
    assert shape(parse("((a=1))")) == ("a", "=", "1")


def test_not_binds_tightest_and_nests() -> None:
    assert shape(parse("not a=1 and b=2")) == ("And", (("not", ("a", "=", "1")), ("b", "=", "2")))
    assert shape(parse("not (a=1 and b=2)")) == ("not", ("And", (("a", "=", "1"), ("b", "=", "2"))))
    assert shape(parse("not not unsubscribed")) == ("not", ("not", ("flag", "unsubscribed")))


def test_keywords_in_any_case() -> None:
    assert shape(parse("a=1 AND b=2 Or NOT c=3")) == shape(parse("a=1 and b=2 or not c=3"))


def test_chains_are_flat() -> None:
    node = parse("a=1 or b=2 or c=3 or d=4")
    assert isinstance(node, Or) and len(node.operands) == 4


@pytest.mark.parametrize("op", ["=", "!=", "<", ">", "<=", ">=", "~"])
def test_every_operator(op: str) -> None:
    for text in (f"score{op}10", f"score {op} 10", f"score{op} 10"):
        node = parse(text)
        assert isinstance(node, Comparison)
        assert (node.field, node.op, node.value.text) == ("score", op, "10")


def test_double_equals_is_equals() -> None:
    assert shape(parse("city==Berlin")) == ("city", "=", "Berlin")


def test_field_names_are_lowercased_and_dashes_read_as_underscores() -> None:
    assert shape(parse("Last-Contacted>30d")) == ("last_contacted", ">", "30d")
    assert shape(parse("do-not-contact")) == ("flag", "do_not_contact")


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "value", "quoted"),
    [
        ('name="Jürgen Müller"', "Jürgen Müller", True),
        ("name='Jürgen Müller'", "Jürgen Müller", True),
        (r'name="say \"hi\""', 'say "hi"', True),
        (r"name='it\'s'", "it's", True),
        ('name="it\'s"', "it's", True),
        (r'name="back\\slash"', "back\\slash", True),
        ('name=""', "", True),
        ('title="and"', "and", True),
        ('title="a=b (c)"', "a=b (c)", True),
        ("email=jm@acme.de", "jm@acme.de", False),
        ("created>=2026-01-01", "2026-01-01", False),
        ("created<7d", "7d", False),
        ("close<+30d", "+30d", False),
        ("score>-5", "-5", False),
        ("amount>=18,500.50", "18,500.50", False),
        ("stage=Lead-in", "Lead-in", False),
        ("city=München", "München", False),
        ("created>=today", "today", False),
    ],
)
def test_values(text: str, value: str, quoted: bool) -> None:
    node = parse(text)
    assert isinstance(node, Comparison)
    assert node.value.text == value
    assert node.value.quoted is quoted


def test_value_positions() -> None:
    node = parse('a = "x y" and b=2')
    assert isinstance(node, And)
    first, second = node.operands
    assert isinstance(first, Comparison) and isinstance(second, Comparison)
    assert (first.offset, first.op_offset, first.value.offset) == (0, 2, 4)
    assert (second.offset, second.value.offset) == (14, 16)


def test_literals() -> None:
    assert filters.parse_age("30d") == (30, "d")
    assert filters.parse_age("2W") == (2, "w")
    assert filters.parse_age("3m") == (3, "m")
    assert filters.parse_age("1y") == (1, "y")
    assert filters.parse_age("1 y") == (1, "y")
    for not_age in ("30", "d", "+3d", "-1d", "3h", "today", "2026-01-01", "3dd"):
        assert filters.parse_age(not_age) is None, not_age
    assert filters.parse_number("10") == Decimal(10)
    assert filters.parse_number("-2.5") == Decimal("-2.5")
    assert filters.parse_number(".5") == Decimal("0.5")
    for not_number in ("", "1e5", "NaN", "inf", "1,000", "12k", "--1", "1.2.3"):
        assert filters.parse_number(not_number) is None, not_number


# --------------------------------------------------------------------------- prefixes


def test_tag_and_field() -> None:
    assert shape(parse("tag:enterprise")) == ("tag", "enterprise")
    assert shape(parse('tag:"big fish"')) == ("tag", "big fish")
    assert shape(parse("field:plan")) == ("field", "plan", None, None)
    assert shape(parse("field:plan=pro")) == ("field", "plan", "=", "pro")
    assert shape(parse("field:plan~pr")) == ("field", "plan", "~", "pr")
    assert shape(parse("field:plan!=pro")) == ("field", "plan", "!=", "pro")
    assert shape(parse("TAG : vip")) == ("tag", "vip")


def test_activity_forms() -> None:
    assert shape(parse("activity:email")) == ("activity", "email", None, None, None)
    assert shape(parse("activity:email within 30d")) == ("activity", "email", "30d", None, None)
    assert shape(parse("activity:email within 30d >= 3")) == ("activity", "email", "30d", ">=", "3")
    assert shape(parse("activity:call<2")) == ("activity", "call", None, "<", "2")
    assert shape(parse("activity:email WITHIN 2w and score>1")) == (
        "And",
        (("activity", "email", "2w", None, None), ("score", ">", "1")),
    )


def test_campaign_forms() -> None:
    assert shape(parse("campaign:webinar")) == ("campaign", "webinar", None, None)
    assert shape(parse('campaign:"Spring launch"=responded')) == (
        "campaign",
        "Spring launch",
        "=",
        "responded",
    )


def test_flags() -> None:
    assert shape(parse("unsubscribed or do_not_contact")) == (
        "Or",
        (("flag", "unsubscribed"), ("flag", "do_not_contact")),
    )


def test_the_quick_forms_are_conditions() -> None:
    assert shape(parse("#vip")) == ("tag", "vip")
    assert shape(parse("@sam")) == ("owner", "=", "sam")
    assert shape(parse("Owner:sam")) == ("owner", "=", "sam")
    assert shape(parse("contact:müller")) == ("contact", "müller")
    assert shape(parse('segment:"Big ones"')) == ("segment", "=", "Big ones")
    assert shape(parse("segment!=vip")) == ("segment", "!=", "vip")
    assert shape(parse("acme")) == ("flag", "acme")
    assert shape(parse('"big deal"')) == ("search", "big deal")
    assert shape(parse("o'brien")) == ("flag", "o'brien")  # a quote inside a word is in it


def test_side_by_side_is_and() -> None:
    assert shape(parse("acme #vip @sam contact:ada")) == (
        "And",
        (("flag", "acme"), ("tag", "vip"), ("owner", "=", "sam"), ("contact", "ada")),
    )
    assert shape(parse("a=1 b=2 or c=3")) == (
        "Or",
        (("And", (("a", "=", "1"), ("b", "=", "2"))), ("c", "=", "3")),
    )
    assert shape(parse("a=1 not b=2")) == ("And", (("a", "=", "1"), ("not", ("b", "=", "2"))))
    assert unparse(parse("acme #vip")) == "acme and tag:vip"


def test_a_word_knows_whether_it_stands_in_an_expression() -> None:
    quick = parse("acme #vip")
    assert isinstance(quick, And) and isinstance(quick.operands[0], Word)
    assert not quick.operands[0].expression
    typed = parse("amount>5 and sta")
    assert isinstance(typed, And) and isinstance(typed.operands[1], Word)
    assert typed.operands[1].expression


def test_the_rule_between_quick_search_and_expression() -> None:
    for quick in ("acme", "big deal #vip @sam", "tag:x owner:y contact:z", 'tag:"a=b"', "o'brien"):
        assert not is_expression(quick), quick
    for expression in ("a=b", "x and y", "NOT x", "(acme)", "field:plan", "segment:vip"):
        assert is_expression(expression), expression


# --------------------------------------------------------------------------- errors


def test_error_message_is_one_line_with_the_position_and_the_text() -> None:
    err = error("lifecycle=lead and score>=")
    assert str(err) == (
        "bad filter at position 27: expected a value after '>=' (lifecycle=lead and score>=)"
    )
    assert (err.position, err.offset) == (27, 26)
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 1, "the filter is empty"),
        ("   ", 4, "the filter is empty"),
        ("score>=", 8, "expected a value after '>='"),
        ("score>=>3", 8, "expected a value after '>=', not '>'"),
        ("name<>Ada", 6, "expected a value after '<', not '>' (did you mean '!='?)"),
        ("name =~ Ada", 7, "expected a value after '=', not '~' (did you mean '~'?)"),
        ("name~=Ada", 6, "expected a value after '~', not '=' (did you mean '~'?)"),
        ("score=<3", 7, "expected a value after '=', not '<' (did you mean '<='?)"),
        ("score=>3", 7, "expected a value after '=', not '>' (did you mean '>='?)"),
        ("score= >3", 8, "expected a value after '=', not '>'"),
        ("created>2026-01-01T10:00", 22, "not ':' (quote a value holding ':', as in"),
        ("created>2026-01-01 :", 20, "expected 'and', 'or' or the end, not ':'"),
        ("a=1 and", 8, "expected a condition after 'and'"),
        ("a=1 or", 7, "expected a condition after 'or'"),
        ("a=1 and or b=2", 9, "expected a condition after 'and'"),
        ("not", 4, "expected a condition after 'not'"),
        ("not )", 5, "expected a condition after 'not'"),
        ("(a=1", 5, "expected ')' to close the '(' at position 1"),
        ("(a=1 b=2", 9, "expected ')' to close the '(' at position 1"),
        ("()", 2, "expected a condition after '('"),
        ("a=1)", 4, "unmatched ')'"),
        ("a=1 b=2 =3", 9, "expected 'and', 'or' or the end, not '='"),
        ('a="open', 3, "unterminated string"),
        ("a='open", 3, "unterminated string"),
        ("a!b", 2, "expected '=' after '!'"),
        ("=3", 1, "expected a field name before '='"),
        ('"city"=x', 1, "expected a field name, not a quoted string"),
        ("a=and", 3, "not the keyword 'and' (quote it"),
        ("tag:", 5, "expected a tag name after 'tag:'"),
        ("field:=x", 7, "expected a custom field name after 'field:'"),
        ("activity:", 10, "expected an activity kind"),
        ("activity:email within", 22, "expected an age such as 30d after 'within'"),
        ("activity:email >=", 18, "expected a value after '>='"),
        ("campaign:", 10, "expected a campaign name"),
        ("foo:bar", 1, "unknown prefix 'foo:'"),
        ("#", 2, "expected a tag after '#'"),
        ("acme @", 7, "expected an owner after '@'"),
        ("owner:", 7, "expected an owner after 'owner:'"),
        ("contact:", 9, "expected a name or email after 'contact:'"),
        ("segment: and", 10, "expected a segment name after 'segment:', not the keyword"),
        ('"acme"=1', 1, "expected a field name, not a quoted string"),
        ("a=1 'x y", 5, "unterminated string"),
        ("a=1 and within=2", 9, "expected a condition, not 'within'"),
        ("a=\x00", 3, "unexpected character"),
    ],
)
def test_errors_point_at_the_position(text: str, position: int, reason: str) -> None:
    err = error(text)
    assert err.position == position, str(err)
    assert reason in err.reason, str(err)
    assert str(err).startswith(f"bad filter at position {position}: ")
    assert "\n" not in str(err)


def test_error_text_stays_on_one_line() -> None:
    err = error("a=1\nand\tb=")
    assert "\n" not in str(err) and "\t" not in str(err)
    assert str(err).endswith("(a=1 and b=)")


def test_limits() -> None:
    assert "nested too deeply" in error("(" * 60 + "a=1" + ")" * 60).reason
    assert "nested too deeply" in error("not " * 60 + "a=1").reason
    assert "too many conditions" in error(" or ".join(["a=1"] * 201)).reason
    assert "too long" in error("a=" + "x" * 20_000).reason
    assert error("acme", max_length=3).reason == (
        "the filter is too long: 4 characters (at most 3)"
    )
    parse("(" * 40 + "a=1" + ")" * 40)
    parse(" or ".join(["a=1"] * 200))


# --------------------------------------------------------------------------- unparse


def test_unparse_is_canonical() -> None:
    text = 'not (a=1 or b="x y") and tag:vip and activity:email within 30d >= 3'
    assert unparse(parse(text)) == text
    assert unparse(parse("a=1 or b=2 and c=3")) == "a=1 or (b=2 and c=3)"
    assert unparse(parse("title='and'")) == 'title="and"'


# --------------------------------------------------------------------------- fuzzing

ATOMS = [
    "lifecycle", "score", "tag", "field", "activity", "campaign", "unsubscribed", "city",
    "and", "or", "not", "within", "AND", "(", ")", ":", "=", "!=", "<", ">", "<=", ">=",
    "~", "!", "==", '"', "'", '"x y"', "'a b'", '"unterminated', "30d", "2026-01-01",
    "-5", "10", "today", "Berlin", "ü", "\\", "\x00", "\n", " ", "#", "@", "#vip", "@sam",
    "owner", "contact", "segment", "o'brien",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_random_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        node = parse(text)
    except FilterError as err:
        assert 1 <= err.position <= len(text) + 1
        assert "\n" not in str(err)
        return
    assert parse(unparse(node)) is not None


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=14), st.sampled_from(["", " "]))
def test_random_token_sequences_parse_or_fail_cleanly(atoms: list[str], sep: str) -> None:
    text = sep.join(atoms)
    try:
        node = parse(text)
    except FilterError as err:
        assert 1 <= err.position <= len(text) + 1
        assert str(err).startswith(f"bad filter at position {err.position}: ")
        return
    assert shape(parse(unparse(node))) == shape(node)


texts = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8)
values = st.builds(Value, texts, st.just(0))
names = st.from_regex(r"[a-z][a-z0-9_.@]{0,8}", fullmatch=True).filter(
    lambda s: s not in filters.KEYWORDS and s not in filters.PREFIXES
)
ops = st.sampled_from(filters.OPERATORS)
leaves = st.one_of(
    st.builds(Comparison, names, ops, values, st.just(0), st.just(0)),
    st.builds(Word, names, st.just(0)),
    st.builds(Word, texts, st.just(0), st.just(True)),
    st.builds(ContactTest, values, st.just(0)),
    st.builds(SegmentTest, values, st.sampled_from(["=", "!="]), st.just(0)),
    st.builds(TagTest, values, st.just(0)),
    st.builds(FieldTest, values, st.none(), st.none(), st.just(0)),
    st.builds(FieldTest, values, ops, values, st.just(0)),
    st.builds(CampaignTest, values, st.just("="), values, st.just(0)),
    st.builds(ActivityTest, values, st.none() | values, ops, values, st.just(0)),
)
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner, st.just(0)),
        st.builds(lambda xs: And(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_unparse_then_parse_gives_the_same_tree(tree: filters.Node) -> None:
    assert shape(parse(unparse(tree))) == shape(tree)


@pytest.mark.parametrize(
    ("text", "new", "expected"),
    [
        ("#VIP and @sam", "gold", "#gold and @sam"),
        ("#vip", "trade show", 'tag:"trade show"'),
        ("#vip", "and", 'tag:"and"'),  # a keyword as a bare word would read as "and"
        (
            'Tag:"vip" or (#x or tag = Vip)',
            'a"b\\c',
            'Tag:"a\\"b\\\\c" or (#x or tag = "a\\"b\\\\c")',
        ),
        ("not tag!=vip  and   size>5", "gold", "not tag!=gold  and   size>5"),
        ("#vipx or vip or field:vip=vip or contact:vip", "gold", None),
        ("tag:'vip'", "gold", "tag:gold"),
    ],
)
def test_a_renamed_tag_is_rewritten_in_place_and_reads_back(text, new, expected) -> None:
    renamed = filters.renamed_tag(text, "vip", new, lambda t: t.lower().lstrip("#"))
    assert renamed == expected
    if renamed is not None:  # the new name, tested where the old one was
        tested = [
            n.tag.text if isinstance(n, filters.TagTest) else n.value.text
            for n in filters.walk(filters.parse(renamed))
            if isinstance(n, filters.TagTest)
            or (isinstance(n, filters.Comparison) and n.field == "tag")
        ]
        assert new in tested and "vip" not in [t.lower() for t in tested]
