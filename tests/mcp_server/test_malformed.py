"""The answers ``tinycrm mcp`` gives to lines its transport could not take as JSON-RPC
messages (``mcp_server.malformed``), so that no client waits for ever."""

from __future__ import annotations

import pytest
from mcp import types

from tinycrm.mcp_server.malformed import unreadable


def _answers(line: str) -> list[dict[str, object]]:
    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except Exception as exc:
        return [a.model_dump(exclude_none=True) for a in unreadable(exc)]
    raise AssertionError(f"{line} is a JSON-RPC message")


@pytest.mark.parametrize(
    ("line", "request_id", "said"),
    [
        ('{"jsonrpc":"2.0","id":5,"method":5}', 5, "method: input should be a valid string"),
        ('{"jsonrpc":"1.0","id":"a","method":"tools/list"}', "a", "jsonrpc: input should be '2.0'"),
        ('{"id":6}', 6, "jsonrpc: required; method: required"),
        ('{"jsonrpc":"2.0","id":7,"method":"tools/list","params":5}', 7, "params: "),
        ('{"jsonrpc":"2.0","id":8,"method":5,"params":[]}', 8, "method: input should be"),
    ],
)
def test_a_request_that_is_not_json_rpc_is_answered_under_its_id(
    line: str, request_id: object, said: str
) -> None:
    """A line of JSON that is not a JSON-RPC request (a method that is not a string, the
    version 1.0, no method) was dropped without a word, as the SDK drops it: its client
    waited for ever for the answer to its id. It is now answered 'Invalid Request'
    (-32600) under that id, saying what is wrong."""
    (answer,) = _answers(line)
    assert answer["id"] == request_id
    error = answer["error"]
    assert isinstance(error, dict) and error["code"] == types.INVALID_REQUEST
    assert error["message"].startswith("not a JSON-RPC 2.0 request: "), error
    assert said in error["message"], error


@pytest.mark.parametrize(
    ("line", "request_id", "method"),
    [
        ('{"jsonrpc":"2.0","id":8,"method":"initialize","params":[]}', 8, "initialize"),
        ('{"jsonrpc":"2.0","id":9,"method":"tools/list","params":[1]}', 9, "tools/list"),
        ('{"jsonrpc":"2.0","id":"p","method":"ping","params":[{"a":1}]}', "p", "ping"),
    ],
)
def test_params_by_position_are_refused_as_params_under_the_requests_id(
    line: str, request_id: object, method: str
) -> None:
    """A request whose params were an array (JSON-RPC 2.0's params by position, which MCP
    has not) was taken for a batch of no requests and went unanswered: its client waited
    for ever. It is now refused as Invalid params (-32602) under its id, saying so."""
    (answer,) = _answers(line)
    assert answer == {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": types.INVALID_PARAMS,
            "message": f"invalid params for {method}: params: an object (by name), not an array",
        },
    }


def test_each_request_of_a_batch_is_answered_that_batches_are_not_taken() -> None:
    """A batch (a JSON array of requests: JSON-RPC has them, MCP no longer) was dropped
    whole: each of its requests is now answered under its id, saying to send each on its
    own line."""
    answers = _answers(
        '[{"jsonrpc":"2.0","id":9,"method":"tools/list"},'
        '{"jsonrpc":"2.0","method":"notifications/initialized"},'
        '{"jsonrpc":"2.0","id":"ten","method":"tools/list"}]'
    )
    assert [a["id"] for a in answers] == [9, "ten"]
    for answer in answers:
        error = answer["error"]
        assert isinstance(error, dict) and error["code"] == types.INVALID_REQUEST
        assert "batch" in error["message"] and "its own line" in error["message"], error


@pytest.mark.parametrize(
    "line",
    [
        "null",
        "[]",
        '{"jsonrpc":"2.0","method":5}',  # a notification: none is owed
        '{"jsonrpc":"2.0","id":3,"result":5}',  # a client's answer: never answered
        '{"jsonrpc":"2.0","id":3,"error":{"code":"x"}}',
    ],
)
def test_a_line_that_names_no_request_is_not_answered(line: str) -> None:
    assert _answers(line) == []


def test_an_id_it_cannot_read_whole_is_answered_under_null_not_another() -> None:
    """A request whose id had 5,000 digits (more than Python reads) was refused under the
    id of its first 18 digits, 123456789012345678: an id the client never sent, perhaps
    that of another of its requests, whose answer it would take this for. So was a line
    not JSON beginning '{"jsonrpc":"2.0","id":1.5', under 1. The first is now answered
    under null, as JSON-RPC asks of an id not read; the second, which names no id it can
    read, as any such line is: not at all."""
    digits = "1234567890" * 500
    (answer,) = _answers(f'{{"jsonrpc":"2.0","id":{digits},"method":"ping"}}')
    assert answer.get("id") is None, answer  # (dumped without its nulls)
    error = answer["error"]
    assert isinstance(error, dict) and error["code"] == types.PARSE_ERROR, error
    line = '{"jsonrpc":"2.0","id":1.5,"method":"tools/list"'  # cut short
    assert _answers(line) == []
    (answer,) = _answers('{"jsonrpc":"2.0","id":15,"method":"tools/list"')  # as before
    assert answer["id"] == 15
