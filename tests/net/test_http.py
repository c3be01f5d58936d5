"""Core HTTP: retries and rate limiting around a channel's requests, on a fake clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import aiohttp
import anyio
import pytest
import pytest_asyncio
from aioresponses import aioresponses

from flxd.errors import AuthError, ChannelError, PermanentError, RateLimited, TransientError
from flxd.net.http import HttpClient, Response
from flxd.net.ratelimit import Limiter, QuotaReport
from flxd.net.retry import RetryPolicy
from flxd.testing import FakeClock

URL = "http://store.test/api/items"
T = TypeVar("T")


class Policy:
    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        if "X-Left" not in headers:
            return None
        return QuotaReport(
            left=int(headers["X-Left"]), reset_after=float(headers["X-Reset"]), quota=10, window=5.0
        )

    def classify(self, response: Response) -> ChannelError | None:
        if response.status == 429:
            reset = response.headers.get("X-Reset")
            return RateLimited("429", retry_after=float(reset) if reset else None)
        if response.status >= 500:
            return TransientError(f"{response.status}")
        if response.status in (401, 403):
            return AuthError("auth")
        if response.status >= 400:
            return PermanentError(f"{response.status}")
        return None


@pytest_asyncio.fixture
async def client(flxd_clock: FakeClock) -> AsyncIterator[HttpClient]:
    async with aiohttp.ClientSession() as session:
        yield HttpClient(
            session=session,
            limiter=Limiter(flxd_clock),
            policy=Policy(),
            clock=flxd_clock,
            retry=RetryPolicy(attempts=4, base_delay=1.0),
            rng=random.Random(1),
        )


async def run(clock: FakeClock, call: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    """Run `call`, jumping the fake clock over its waits; returns its result and the time."""
    result: list[Any] = []
    busy = [1]

    async def task() -> None:
        try:
            result.append(await call())
        except Exception as exc:
            result.append(exc)
        finally:
            busy[0] = 0
            clock.notify()

    async with anyio.create_task_group() as tg:
        tg.start_soon(task)
        elapsed = await clock.autojump(lambda: busy[0])
    if isinstance(result[0], Exception):
        raise result[0]
    return result[0], elapsed


@pytest.mark.asyncio
async def test_server_errors_are_retried_with_growing_waits(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, status=503)
        mocked.get(URL, status=502)
        mocked.get(URL, payload={"ok": True})
        response, elapsed = await run(flxd_clock, lambda: client.request("GET", URL))
    assert response.data == {"ok": True}
    assert 0.5 + 1.0 <= elapsed <= 1.0 + 2.0  # backoff 1 s then 2 s, each half jittered


@pytest.mark.asyncio
async def test_retries_are_bounded(client: HttpClient, flxd_clock: FakeClock) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, status=500, repeat=True)
        with pytest.raises(TransientError, match="500"):
            await run(flxd_clock, lambda: client.request("GET", URL))
        assert sum(len(calls) for calls in mocked.requests.values()) == 4


@pytest.mark.asyncio
async def test_a_write_that_may_have_arrived_is_not_resent(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    with aioresponses() as mocked:
        mocked.post(URL, exception=TimeoutError())
        mocked.post(URL, payload={"created": 1})
        with pytest.raises(TransientError, match="timed out"):
            await run(flxd_clock, lambda: client.request("POST", URL, json_body={"a": 1}))
        assert sum(len(calls) for calls in mocked.requests.values()) == 1


@pytest.mark.asyncio
async def test_a_write_that_never_left_is_retried(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    refused = aiohttp.ClientConnectorError(
        connection_key=None,
        os_error=ConnectionRefusedError(111, "refused"),  # type: ignore[arg-type]
    )
    with aioresponses() as mocked:
        mocked.get(URL, payload=[])  # the store has answered before: a refusal is a blip
        mocked.post(URL, exception=refused)
        mocked.post(URL, payload={"created": 1})
        await run(flxd_clock, lambda: client.request("GET", URL))
        response, _ = await run(flxd_clock, lambda: client.request("POST", URL, json_body={}))
    assert response.data == {"created": 1}


@pytest.mark.asyncio
async def test_nothing_answering_at_the_address_fails_at_once_and_names_it(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    refused = aiohttp.ClientConnectorError(
        connection_key=None,
        os_error=ConnectionRefusedError(111, "Connect call failed ('10.0.0.9', 8080)"),  # type: ignore[arg-type]
    )
    with aioresponses() as mocked:
        mocked.get("http://10.0.0.9:8080/api", exception=refused, repeat=True)
        with pytest.raises(PermanentError) as failed:
            await run(flxd_clock, lambda: client.request("GET", "http://10.0.0.9:8080/api"))
        assert sum(len(calls) for calls in mocked.requests.values()) == 1
    assert str(failed.value) == (
        "cannot connect to 10.0.0.9:8080 for GET /api, where nothing has answered since flxd "
        "started (is the address right, is the store up?): [Errno 111] Connect call failed "
        "('10.0.0.9', 8080)"
    )


@pytest.mark.asyncio
async def test_429_waits_the_reset_time_and_holds_the_connection(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, status=429, headers={"X-Left": "0", "X-Reset": "4"})
        mocked.get(
            URL,
            payload=[1],
            headers={"X-Left": "9", "X-Reset": "5", "Content-Type": "application/json"},
        )
        response, elapsed = await run(flxd_clock, lambda: client.request("GET", URL))
    assert response.data == [1]
    assert 4.0 <= elapsed <= 4.5
    assert client.limiter.stats.throttled == 1
    assert client.limiter.stats.left == 9


@pytest.mark.asyncio
async def test_429_without_headers_backs_off_exponentially(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    with aioresponses() as mocked:
        for _ in range(3):
            mocked.get(URL, status=429)
        mocked.get(URL, payload={})
        _, elapsed = await run(flxd_clock, lambda: client.request("GET", URL))
    assert 0.5 + 1 + 2 <= elapsed <= 1 + 2 + 4


@pytest.mark.asyncio
async def test_truncated_json_is_a_transient_error(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, body='{"data": [1, 2', content_type="application/json")
        mocked.get(URL, body='{"data": [1, 2]}', content_type="application/json")
        response, _ = await run(flxd_clock, lambda: client.request("GET", URL))
    assert response.data == {"data": [1, 2]}


@pytest.mark.asyncio
async def test_auth_and_permanent_errors_are_not_retried(
    client: HttpClient, flxd_clock: FakeClock
) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, status=401)
        with pytest.raises(AuthError):
            await run(flxd_clock, lambda: client.request("GET", URL))
        mocked.get(URL, status=422)
        with pytest.raises(PermanentError):
            await run(flxd_clock, lambda: client.request("GET", URL))
        assert sum(len(calls) for calls in mocked.requests.values()) == 2


def test_backoff_is_capped_and_writes_wait_longer() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=60.0)
    rng = random.Random(3)
    reads = [policy.backoff(n, write=False, rng=rng) for n in range(1, 12)]
    writes = [policy.backoff(n, write=True, rng=rng) for n in range(1, 12)]
    assert all(
        0.5 * min(60, 2 ** (n - 1)) <= d <= min(60, 2 ** (n - 1)) for n, d in enumerate(reads, 1)
    )
    assert max(reads) <= 60 and max(writes) <= 120
    assert writes[0] >= 1.0
