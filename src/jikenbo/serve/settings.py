"""The serve settings (src/jikenbo/data/settings/serve.toml, overridable by $JIKENBO_CONFIG)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jikenbo.config import settings


@dataclass(frozen=True)
class ServeSettings:
    max_upload_bytes: int = 5_242_880
    page_size: int = 25
    max_page_size: int = 200
    max_search_window: int = 2000
    try_cache_entries: int = 32
    related_limit: int = 20
    facet_budget_ms: int = 25
    count_budget_ms: int = 20
    chart_budget_ms: int = 1500
    max_text_chars: int = 500_000
    extract_workers: int = 1
    extract_queue: int = 4
    retry_after_seconds: int = 5
    extract_rate_per_minute: int = 20
    extract_burst: int = 5

    @classmethod
    def load(cls, **overrides: Any) -> ServeSettings:
        raw = {k: v for k, v in settings("serve").items() if k in cls.__dataclass_fields__}
        raw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: int(v) for k, v in raw.items()})
