"""Webhook delivery to a receiver on 127.0.0.1: signed body, retries, recorded outcome, refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jikenbo.store import Filters, open_store
from jikenbo.store import watch as ws
from jikenbo.webhook import SIGNATURE_HEADER, WebhookOptions, deliver_pending, verify
from localhttp import LocalServer

FIRST = str(Path(__file__).parent / "fixtures" / "watch" / "01_kogane_first.txt")
LOOPBACK_OK = WebhookOptions(tries=3, backoff_seconds=(0.5, 2.0), allow_private=True)  # loopback: tests only


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    srv = LocalServer().start()
    yield srv
    srv.stop()


def _store_with_alert(tmp_path: Path, url: str):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "h.db")
    ws.add_watch(store, "hook", Filters(organization="こがね医療サービス"), webhook=url, secret="s3cret")
    assert store.ingest([FIRST], workers=1, progress=False).ok
    return store


def test_delivered_with_a_valid_signature(tmp_path: Path, receiver: LocalServer) -> None:
    receiver.routes["/hook"] = (204, {}, b"")
    with _store_with_alert(tmp_path, receiver.base + "/hook") as store:
        s = deliver_pending(store, options=LOOPBACK_OK, sleep=lambda _: None)
        assert s.delivered == 1 and not s.failed
        (hit,) = receiver.hits("/hook")
        assert hit.method == "POST" and verify("s3cret", hit.body, hit.headers[SIGNATURE_HEADER.lower()])
        assert not verify("other", hit.body, hit.headers[SIGNATURE_HEADER.lower()])
        payload = json.loads(hit.body)
        assert payload["event"] == "jikenbo.alert"
        assert payload["alert"]["watch"] == "hook" and payload["alert"]["change"] == "new"
        assert hit.headers["x-jikenbo-delivery"] == str(payload["alert"]["id"])
        (a,) = ws.alerts(store)
        assert a["delivery"] == "delivered" and a["attempts"] == 1 and a["delivered_at"]
        assert deliver_pending(store, options=LOOPBACK_OK).delivered == 0  # delivered once
        assert len(receiver.hits("/hook")) == 1


def test_a_failing_receiver_gets_retries_with_back_off(tmp_path: Path, receiver: LocalServer) -> None:
    receiver.routes["/down"] = (503, {}, b"busy")
    waits: list[float] = []
    with _store_with_alert(tmp_path, receiver.base + "/down") as store:
        s = deliver_pending(store, options=LOOPBACK_OK, sleep=waits.append)
        assert s.delivered == 0 and len(s.failed) == 1 and "HTTP 503" in s.failed[0][1]
        assert len(receiver.hits("/down")) == 3 and waits == [0.5, 2.0]
        (a,) = ws.alerts(store)
        assert a["delivery"] == "failed" and a["attempts"] == 3 and "503" in a["last_error"]
        receiver.routes["/down"] = (200, {}, b"ok")  # the receiver is back: a later run delivers
        assert deliver_pending(store, options=LOOPBACK_OK, sleep=waits.append).delivered == 1
        assert ws.alerts(store)[0]["delivery"] == "delivered"


def test_loopback_receivers_are_refused_unless_allowed(tmp_path: Path, receiver: LocalServer) -> None:
    receiver.routes["/hook"] = (200, {}, b"")
    with _store_with_alert(tmp_path, receiver.base + "/hook") as store:
        s = deliver_pending(store, options=WebhookOptions(allow_private=False), sleep=lambda _: None)
        assert s.delivered == 0 and "private, loopback or reserved" in s.failed[0][1]
        assert receiver.hits("/hook") == []
        assert ws.alerts(store)[0]["attempts"] == 1  # refused once, not retried in the run
