"""The alerts page in Debian's Chromium: a watch's alerts after a first and a second report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jikenbo.store import Filters, open_store
from jikenbo.store import watch as ws
from test_browser import _need_chromium, _serving, _shot, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
FIX = Path(__file__).parent / "fixtures" / "watch"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    db = tmp_path_factory.mktemp("alerts") / "alerts.db"
    with open_store(db) as store:
        ws.add_watch(store, "取引先", Filters(vendor="ほたる印刷"))
        ws.add_watch(store, "誤送信", Filters(types=["misdelivery"]))
        for name in ("01_kogane_first.txt", "03_shirakaba_misdelivery.txt", "02_kogane_second.txt"):
            assert store.ingest([str(FIX / name)], workers=1, progress=False).ok
    yield from _serving(db)


def test_alerts_page_lists_a_watchs_changes(page, server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(server + "/")
    page.click('header nav a[href="/alerts"]')
    page.wait_for_url("**/alerts")
    assert page.locator("table.alerts tbody tr").count() == 5
    page.click('a.watch-link:has-text("取引先")')
    page.wait_for_url("**/alerts?watch=*")
    rows = page.locator("table.alerts tbody tr")
    assert sorted(rows.nth(i).get_attribute("data-change") for i in range(rows.count())) == [
        "confirmed", "new", "new_notice", "revised"]
    text = page.inner_text("table.alerts")
    assert "12,000 → 15,300" in text and "株式会社こがね医療サービス" in text and "しらかば" not in text
    _shot(page, "alerts")
    page.click('tr[data-change="revised"] a.inc-link')
    page.wait_for_url("**/incidents/*")
    assert "こがね医療サービス" in page.inner_text("h1")
    feed = page.request.get(server + "/feeds/%E5%8F%96%E5%BC%95%E5%85%88.atom")
    assert feed.ok and feed.text().count("<entry>") == 4
    assert not page.errors, page.errors
