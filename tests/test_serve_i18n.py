"""Every page in both languages holds no UI words of the other language; judgement reasons, trigger
chips, report items, search errors and error pages all come from the one catalogue (serve/i18n.py).

Data (organisation names, titles, notice text, quotes, sources, vendor names) is marked
``translate="no"`` and left out of the check; so is the example query of the search box.
"""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from jikenbo.cli.serve_cmd import sample_files  # noqa: E402
from jikenbo.pipeline import extract_document  # noqa: E402
from jikenbo.read import read_inputs  # noqa: E402
from jikenbo.serve import create_app, i18n  # noqa: E402
from jikenbo.store import open_store  # noqa: E402

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# words that are the same in both languages: names of formats, bodies and the other language
SAME_IN_BOTH = {"JSON", "API", "URL", "PDF", "HTML", "FAX", "JIPDEC", "SNS", "PPC", "English", "YYYY", "jikenbo",
                "ingest", "localhost", "Bearer", "http", "https", "toml"}
JA_IN_EN = {"日本語"}
# identifiers inside messages (incident ids, quoted input, the name of pasted text) are data too
IDENTIFIER = re.compile(r"'[^']*'|<text>|upload:\S+|\b\w*_\w*\b")  # the language switch names its language in that language
ATTRS = ("title", "aria-label", "alt")


class UIText(HTMLParser):
    """Text nodes and labelling attributes outside ``translate="no"``, <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.out: list[str] = []
        self.skip_title = False

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        # <title> holds the organisation's name on incident pages and cannot carry translate="no"
        skip = a.get("translate") == "no" or tag in ("script", "style") or (tag == "title" and self.skip_title)
        if not skip and not self._skipping():
            self.out += [v for k, v in attrs if k in ATTRS and v]
        if tag not in ("meta", "link", "input", "br", "img", "hr", "rect", "line") or tag == "rect":
            self.stack.append((tag, skip))
        if tag in ("meta", "link", "input", "br", "img", "hr", "line"):
            return

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("translate") != "no" and not self._skipping():
            self.out += [v for k, v in attrs if k in ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping():
            self.out.append(data.strip())


def ui_text(html: str, *, skip_title: bool = False) -> list[str]:
    p = UIText()
    p.skip_title = skip_title
    p.feed(html)
    return p.out


def foreign(lang: str, texts: list[str]) -> list[str]:
    bad = []
    for s in texts:
        s = IDENTIFIER.sub(" ", s)
        if lang == "ja":
            words = [w for w in ENGLISH_WORD.findall(s) if w not in SAME_IN_BOTH]
            if words:
                bad.append(s)
        else:
            rest = s
            for ok in JA_IN_EN:
                rest = rest.replace(ok, "")
            if JAPANESE.search(rest):
                bad.append(s)
    return bad


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    path = tmp_path_factory.mktemp("i18n") / "s.db"
    with open_store(path) as store:
        assert store.ingest(sample_files(), progress=False, workers=1).ok
        # a document stored under an absolute server path (a store from before relative names)
        doc = next(d for d in read_inputs([sample_files()[1]]))
        doc = doc.model_copy(update={"source": "/srv/secret/home/notices/" + Path(doc.source).name,
                                     "sha256": "0" * 64, "text": doc.text + "\n"})
        store.add_document(doc, extract_document(doc))
    return TestClient(create_app(path, settings={"extract_workers": 0, "max_text_chars": 20_000}),
                      raise_server_exceptions=False, base_url="http://127.0.0.1")


def _pages(client: TestClient) -> list[tuple[str, str, dict]]:
    ids = [i["id"] for i in client.get("/api/incidents", params={"per_page": 200}).json()["items"]]
    text = Path(sample_files()[0]).read_text(encoding="utf-8")
    pages: list[tuple[str, str, dict]] = [("GET", "/", {}), ("GET", "/stats", {}), ("GET", "/try", {}),
                                          ("GET", "/?q=不正アクセス", {}), ("GET", "/?type=ransomware&sort=-affected_total", {})]
    pages += [("GET", f"/incidents/{i}", {}) for i in ids]
    pages += [("GET", "/incidents/inc_nothere", {}), ("GET", "/?q=!!!", {}), ("GET", "/?since=yesterday", {}),
              ("GET", "/no/such/page", {}), ("POST", "/try", {"data": {"text": ""}}),
              ("POST", "/try", {"data": {"text": text}}),
              ("POST", "/try", {"data": {"text": text + "あ" * 20_000}}),
              ("POST", "/notices", {"data": {"key": "expired"}})]
    return pages


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_page_shows_words_of_the_other_language(client: TestClient, lang: str) -> None:
    problems = []
    for method, path, kw in _pages(client):
        sep = "&" if "?" in path else "?"
        r = client.request(method, f"{path}{sep}lang={lang}", **kw)
        assert f'lang="{lang}"' in r.text, (path, r.status_code)
        bad = foreign(lang, ui_text(r.text, skip_title=path.startswith("/incidents/")))
        if bad:
            problems.append(f"{method} {path} ({r.status_code}): {bad[:5]}")
    client.cookies.clear()
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_foreign_word() -> None:
    assert foreign("ja", ui_text('<p>理由: no 規則7条 trigger: 97 people</p>'))
    assert foreign("en", ui_text('<p>Triggers: <span class="chip">要配慮個人情報</span></p>'))
    assert not foreign("en", ui_text('<p>Org: <span translate="no">株式会社架空</span></p>'))
    assert not foreign("ja", ui_text('<p>形式: JSON</p>'))


def test_monthly_chart_counts_incidents_not_types(client: TestClient) -> None:
    r = client.get("/stats?lang=en")
    month_svg = r.text.split('id="chart-per-month"')[1].split("</figure>")[0]
    bars = [int(m) for m in re.findall(r"<title>\d{4}-\d{2} [^<]*: ([\d,]+)</title>", month_svg)]
    n_dated = sum(1 for i in client.get("/api/incidents", params={"per_page": 200}).json()["items"]
                  if i.get("disclosure_date"))
    assert sum(bars) == n_dated  # one per incident, however many types it has
    types_svg = r.text.split('id="chart-types"')[1].split("</figure>")[0]
    assert "type counts over" in types_svg and "counts once for each" in types_svg


def test_judgement_reason_and_chips_follow_the_language(client: TestClient) -> None:
    j = {"reportable": False, "personal_data_at_risk": True, "threshold": 1000, "triggers": [],
         "notes": ["reportable, but the notice does not say 個人情報保護委員会 was told", "a new note"],
         "notice_items": {"cause": {"status": "missing"}}}
    ja, en = i18n.judgement("ja", j, 97), i18n.judgement("en", j, 97)
    assert ja["reason"] == "規則7条の事由はありません (本人の数 97 人は 1,000 人以下)。"
    assert en["reason"] == "No APPI rules art. 7 trigger: 97 people, not more than 1,000."
    assert ja["hidden_notes"] == 1 and en["notes"][-1] == "a new note"
    assert ja["missing"] == ["原因"] and en["missing"] == ["cause"]
    assert ja["reference_only"] and en["reference_only"]
    yes = {"reportable": True, "personal_data_at_risk": True, "threshold": 1000,
           "triggers": [{"code": "sensitive", "label": "要配慮個人情報"}]}
    assert i18n.judgement("en", yes, 5)["triggers"] == ["sensitive personal data"]
    yes["triggers"][0]["article"] = "規則43条1号"  # a public body's rule
    assert i18n.judgement("en", yes, 5)["triggers"] == ["sensitive personal data (APPI rules art. 43(1))"]
    assert i18n.judgement("ja", yes, 5)["triggers"] == ["要配慮個人情報 (規則43条1号)"]
    none = {"reportable": False, "duty": {"state": "none"}, "body": {"kind": "court", "rule": "none"}}
    assert i18n.judgement("en", none, 5)["reason"] == "No duty to report (a court)."
    assert i18n.judgement("ja", none, 5)["reason"] == "報告義務はありません (裁判所)。"
    assert not i18n.judgement("en", yes, 5)["reference_only"]


def test_deadlines_of_a_case_not_reportable_say_they_are_for_reference(client: TestClient) -> None:
    seen = {"ja": 0, "en": 0}
    for i in client.get("/api/incidents", params={"per_page": 200}).json()["items"]:
        chk = client.get(f"/api/incidents/{i['id']}/check").json()
        dl = chk.get("deadlines") or {}
        if chk.get("reportable") is True or not (dl.get("sokuho") or dl.get("kakuho")):
            continue
        for lang in seen:
            page = client.get(f"/incidents/{i['id']}?lang={lang}").text
            judge = page.split('class="judge"')[1].split("</section>")[0]
            assert i18n.t(lang, "deadline_reference") in judge
            seen[lang] += 1
    client.cookies.clear()
    assert seen["ja"] >= 1, "the samples hold no case that is not reportable and has deadlines"


def test_search_error_in_japanese(client: TestClient) -> None:
    r = client.get("/?q=!!!&lang=ja")
    assert r.status_code == 400
    assert "検索できる語がありません" in r.text and "no words to search for" not in r.text
    client.cookies.clear()


def test_pages_never_show_absolute_server_paths(client: TestClient) -> None:
    for i in client.get("/api/incidents", params={"per_page": 200}).json()["items"]:
        page = client.get(f"/incidents/{i['id']}").text
        assert "/srv/secret" not in page
        assert str(Path(sample_files()[0]).parent) not in page
