"""No secret reaches a log line."""

from __future__ import annotations

import io
import json

import structlog

from flxd.logging import REDACTED, configure_logging


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_secrets_are_redacted_by_key_by_value_and_by_shape() -> None:
    stream = io.StringIO()
    configure_logging(level="debug", format="json", stream=stream, secrets=["known-s3cret-value"])
    log = structlog.get_logger("t")
    log.info("request", access_token="abc123456789", url="https://x/?q=1")
    log.info("oops", detail="the header was X-Auth-Token: zzzzzzzzzzzz1234 and Bearer qwertyuiop99")
    log.warning("config", message="token known-s3cret-value leaked into a message")
    try:
        raise ValueError("client_secret=hunter2hunter2 rejected")
    except ValueError:
        log.exception("failed")
    text = stream.getvalue()
    for secret in (
        "abc123456789",
        "zzzzzzzzzzzz1234",
        "qwertyuiop99",
        "known-s3cret-value",
        "hunter2hunter2",
    ):
        assert secret not in text
    first = lines(stream)[0]
    assert first["access_token"] == REDACTED and first["url"] == "https://x/?q=1"


def test_log_lines_carry_bound_context() -> None:
    stream = io.StringIO()
    configure_logging(format="json", stream=stream)
    structlog.get_logger("t").bind(connection="shop1", operation="get_orders").info("run finished")
    [line] = lines(stream)
    assert (line["connection"], line["operation"], line["level"]) == ("shop1", "get_orders", "info")
