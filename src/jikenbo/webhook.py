"""Deliver alerts to the watches' webhooks: one signed JSON POST per alert, retried with back-off.

The body is ``{"event": "jikenbo.alert", "sent_at": ..., "alert": <the alert as
jikenbo alerts --format json prints it>}``, UTF-8 JSON. The header
``X-Jikenbo-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body bytes under the
watch's secret (``jikenbo watch show NAME --secret``); a receiver recomputes it and compares
with ``hmac.compare_digest``. ``X-Jikenbo-Delivery`` is the alert's id (the same on a retry,
so a receiver can drop repeats). A 2xx answer is delivered; anything else is retried
``tries`` times with the waits of ``backoff_seconds``, then recorded as failed with its last
error and retried by later runs until ``max_attempts``. Private and loopback receivers are
refused unless allowed (:mod:`jikenbo.read.net`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from jikenbo import __version__
from jikenbo.config import options_from
from jikenbo.read import ReadFailure, ReadOptions, net
from jikenbo.store import Store
from jikenbo.store import watch as ws

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Jikenbo-Signature"


@dataclass(frozen=True)
class WebhookOptions:
    tries: int = 3
    backoff_seconds: tuple[float, ...] = (1.0, 4.0)
    max_attempts: int = 12
    timeout_seconds: float = 10.0
    allow_private: bool = False

    @classmethod
    def from_settings(cls, **overrides: Any) -> WebhookOptions:
        return options_from(cls, "webhook", **overrides)


@dataclass
class DeliverySummary:
    delivered: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (alert id, last error)

    def lines(self) -> list[str]:
        out = [f"{self.delivered} alerts delivered"] if self.delivered else []
        out += [f"alert {i}: webhook delivery failed: {e}" for i, e in self.failed]
        return out


def sign(secret: str, body: bytes) -> str:
    """The value of the signature header for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` under ``secret`` (for receivers and tests)."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


def body(alert: dict[str, Any]) -> bytes:
    return json.dumps({"event": "jikenbo.alert", "sent_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                       "alert": alert}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def deliver_pending(store: Store, *, options: WebhookOptions | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> DeliverySummary:
    """POST every alert not delivered yet to its watch's webhook; record each outcome."""
    opts = options or WebhookOptions.from_settings()
    out = DeliverySummary()
    pending = ws.pending_deliveries(store, opts.max_attempts)
    if not pending:
        return out
    read_opts = replace(ReadOptions.from_settings(), timeout_seconds=opts.timeout_seconds)
    with net.Client(read_opts, allow_private=opts.allow_private,
                    user_agent=f"jikenbo/{__version__} (webhook)") as client:
        for alert, w in pending:
            ok, tries, error = _deliver(client, alert, w, opts, sleep)
            ws.mark_delivery(store, alert["id"], ok=ok, attempts=tries, error=error)
            if ok:
                out.delivered += 1
            else:
                out.failed.append((alert["id"], error or "unknown error"))
    return out


def _deliver(client: net.Client, alert: dict, w: ws.Watch, opts: WebhookOptions,
             sleep: Callable[[float], None]) -> tuple[bool, int, str | None]:
    data = body(alert)
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(w.secret or "", data),
               "X-Jikenbo-Delivery": str(alert["id"]), "X-Jikenbo-Event": "alert"}
    error: str | None = None
    for i in range(max(1, opts.tries)):
        if i:
            waits = opts.backoff_seconds or (1.0,)
            sleep(waits[min(i - 1, len(waits) - 1)])
        try:
            status = client.post(w.webhook or "", data, headers)
        except ReadFailure as e:
            error = str(e)
            if "refused:" in e.reason or "only http" in e.reason:
                return False, i + 1, error  # retrying cannot help
            continue
        if 200 <= status < 300:
            return True, i + 1, None
        error = f"{w.webhook}: HTTP {status}"
    log.info("webhook for alert %s failed: %s", alert["id"], error)
    return False, max(1, opts.tries), error
