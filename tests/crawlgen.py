"""Generated web crawls for the scan tests and benchmark: WARC files written here, byte by byte.

A crawl mixes the project's own fictional notices (``src/jikenbo/samples/``, re-encoded in
several charsets, as HTML, plain text, PDF and WET conversions) with many unrelated pages:
English and Japanese pages in UTF-8, Shift_JIS and EUC-JP with the usual footers
(個人情報保護方針, お問い合わせ), health and weather news, outage notices, images, redirects, and
the request and metadata records a crawler writes beside each response. Nothing here comes
from a real crawl; every sentence is made up from the word lists below.

The writer is a few lines of WARC/1.0 (one gzip member per record, as Common Crawl stores
them) so that a benchmark can write 100,000 pages quickly; fastwarc reads what it writes.
"""

from __future__ import annotations

import gzip
import random
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "jikenbo" / "samples"

# Notices among the samples: (file, the encoding to put on the wire, how the charset is told).
NOTICE_FILES = [
    "01_harukaze_first_report.txt", "02_harukaze_second_report.txt", "03_tsukimi_vendor_ransomware.txt",
    "05_sasame_vendor_ransomware_sjis.txt", "08_kusunoki_emotet_eucjp.txt", "09_momiji_bcc_misdelivery.txt",
    "10_suzuran_impersonation.txt", "11_komorebi_system_error.txt", "12_tsubaki_other.txt",
    "14_miraicloud_own_notice.txt",
]
NOTICE_HTML = ["06_news_akebono_misconfiguration.html", "07_digest_weekly.html"]
NOTICE_PDF = "04_nanohana_vendor_ransomware.pdf"

# Japanese pages are each about one topic, as real pages are: a topic's words and common ones.
_JA_COMMON = tuple((  # noqa: SIM905
    "本日 皆様 こちら ご覧 ください 詳細 情報 予定 開始 いたしました しております 時間 場所 写真 紹介 "
).split())
_JA_TOPICS = [
    "新商品 季節 限定 販売 ご来店 お待ち 商品 価格 税込 送料 無料 在庫 発送 お届け 日数 会員 登録 ポイント 還元",
    "地域 イベント 開催 参加 無料 申し込み 受付 祭り 花火 桜 紅葉 公園 市民 図書館 会場 夏 冬 春 秋",
    "天気 晴れ 曇り 雨 気温 上昇 週末 台風 大雨 被害 状況 復旧 道路 通行止め 警察 交通安全 運動 実施",
    "観光 旅行 温泉 料理 宿泊 客室 露天風呂 朝食 夕食 予約 プラン 駅 徒歩 分 バス 電車 運行 ダイヤ 改正",
    "レシピ 材料 野菜 味噌 醤油 砂糖 簡単 美味しい 作り方 大さじ 小さじ 加えて 炒めます 煮込み 完成",
    "家族 子ども 学校 授業 先生 部活動 大会 優勝 おめでとう 入学式 卒業式 保護者 行事 給食",
    "会社 採用 募集 社員 働き方 研修 新卒 中途 営業 エンジニア 応募 選考 面接 福利厚生 勤務地",
    "新型コロナウイルス感染症 ワクチン 接種 会場 予約 感染 対策 マスク 手洗い 検査 発熱 相談 窓口 保健所",
    "スマートフォン アプリ 配信 開始 キャンペーン 応募 抽選 当選 発表 ログイン 機能 追加 アップデート",
]
_JA_TOPICS_SPLIT = [t.split() for t in _JA_TOPICS]
_JA_FOOTER = ("<footer><a href='/privacy/'>個人情報保護方針</a> | <a href='/contact/'>お問い合わせ</a> | "
              "<a href='/sitemap/'>サイトマップ</a> | <a href='/news/'>お知らせ</a><br>"
              "Copyright © {org} All Rights Reserved.</footer>")
_OUTAGE = ("<h1>システムメンテナンスに伴うサービス停止のお知らせ</h1><p>いつもご利用いただきありがとうございます。"
           "下記日程でシステムの定期メンテナンスを実施いたします。ご迷惑をおかけいたしますが、ご理解とご協力を"
           "お願い申し上げます。障害が発生した場合は本ページでお知らせします。</p>")
# Everyday pages that hold an incident word in its everyday sense: they pass the prefilter and
# cost a full read, as their like do in a real crawl.
_EVERYDAY = ("<h2>落とし物・紛失物のお問い合わせについて</h2><p>店内で傘や手袋を紛失された場合は、サービスカウンターまで"
             "お問い合わせください。お預かりした品は一か月保管いたします。</p>",
             "<h2>宛名ラベルの書き方</h2><p>年賀状の宛名は楷書ではっきりと書きましょう。誤って書いた場合は修正テープを"
             "使わず、新しいはがきに書き直すのがおすすめです。</p>",
             "<h2>図書の持ち出しについて</h2><p>館内資料の持ち出しはできません。閲覧席でご利用ください。</p>")
_EN_WORDS = tuple((  # noqa: SIM905
    "the of and to in for with on at from this that our new best free online shop news sport music "
    "travel hotel price review guide learn more about contact privacy policy terms home blog post "
    "weather city team game season video photo recipe health food market update report "
).split())
_ORGS = ["さくら商店", "みどり観光協会", "ひまわり食堂", "あおぞら不動産", "かえで歯科", "こだま書房", "ほたる温泉旅館"]


@dataclass
class Notice:
    """A notice page put into a crawl: where it is, and what the scan should find."""

    url: str
    sample: str
    encoding: str
    media: str


@dataclass
class Crawl:
    """The files written and the notices in them."""

    files: list[Path] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    pages: int = 0  # document records (responses 200, resources, conversions)


def _record(rtype: str, url: str, block: bytes, date: str, extra: dict[str, str] | None = None,
            content_type: str = "application/http; msgtype=response") -> bytes:
    head = ["WARC/1.0", f"WARC-Type: {rtype}", f"WARC-Date: {date}",
            f"WARC-Record-ID: <urn:uuid:{uuid.UUID(int=random.getrandbits(128))}>",
            f"WARC-Target-URI: {url}", f"Content-Type: {content_type}", f"Content-Length: {len(block)}"]
    head += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def http_response(body: bytes, content_type: str | None, status: str = "200 OK",
                  headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class WarcWriter:
    """Records to one file: gzip members (``.gz``) or plain WARC."""

    def __init__(self, path: Path, *, level: int = 6) -> None:
        self.path = path
        self.gz = path.name.endswith(".gz")
        self.level = level
        self.f = open(path, "wb")  # noqa: SIM115 (closed in close())

    def write(self, record: bytes) -> None:
        if self.gz:
            c = zlib.compressobj(self.level, zlib.DEFLATED, 31)
            self.f.write(c.compress(record) + c.flush())
        else:
            self.f.write(record)

    def close(self) -> None:
        self.f.close()


def _ja_text(rng: random.Random, n_words: int, topic: list[str] | None = None) -> str:
    words = topic or _JA_COMMON
    return "".join(rng.choice(words if rng.random() < 0.7 else _JA_COMMON) + ("。" if rng.random() < 0.08 else "")
                   for _ in range(n_words))


def _en_text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(_EN_WORDS) for _ in range(n_words))


_POOLS: dict[object, list[str]] = {}


def _pool(key: object, make: object, n: int = 120) -> list[str]:
    """A fixed pool of generated paragraphs per key (made once: pages draw from it, fast)."""
    if key not in _POOLS:
        prng = random.Random(str(key))
        _POOLS[key] = [make(prng) for _ in range(n)]  # type: ignore[operator]
    return _POOLS[key]


def _markup(prng: random.Random) -> str:
    """Scripts, styles and wrappers: most of a real page's bytes are not its text."""
    ident = "".join(prng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
    return (f"<script>window.{ident}=function(e){{var t=document.getElementById('{ident}');"
            f"if(t){{t.classList.toggle('open-{prng.randrange(999)}')}}return {prng.randrange(10**6)}}};</script>"
            f"<div class='c-{ident} l-{prng.randrange(99)}'><ul>"
            + "".join(f"<li><a href='/{ident}/{i}'>{i}</a></li>" for i in range(prng.randrange(3, 12)))
            + "</ul></div>")


def _filled(rng: random.Random, size: int, text_pool: list[str], markup_pool: list[str]) -> str:
    parts: list[str] = []
    total = 0
    while total < size:
        chunk = rng.choice(markup_pool) if rng.random() < 0.55 else f"<p>{rng.choice(text_pool)}</p>"
        parts.append(chunk)
        total += len(chunk.encode("utf-8"))
    return "".join(parts)


def unrelated_page(rng: random.Random, size: int) -> tuple[str, str, bytes, str]:
    """(url, kind, body, content type) of a page that is no notice, about ``size`` bytes."""
    r = rng.random()
    markup = _pool("markup", _markup, 400)
    if r < 0.45:  # English
        host = f"www.site{rng.randrange(10**6)}.{rng.choice(['com', 'org', 'net', 'co.uk'])}"
        paras = _filled(rng, size, _pool("en", lambda g: _en_text(g, 60)), markup)
        body = f"<!doctype html><html><head><title>{_en_text(rng, 5)}</title></head><body>{paras}" \
               f"<footer>privacy policy | contact</footer></body></html>"
        return f"https://{host}/{_en_text(rng, 1)}/{rng.randrange(10**5)}", "en", body.encode(), \
            "text/html; charset=utf-8"
    org = rng.choice(_ORGS)
    host = f"www.{rng.choice(['shop', 'info', 'town', 'blog', 'news'])}{rng.randrange(10**6)}." \
           f"{rng.choice(['jp', 'co.jp', 'or.jp', 'com', 'ne.jp'])}"
    ti = rng.randrange(len(_JA_TOPICS_SPLIT))
    topic = _JA_TOPICS_SPLIT[ti]
    paras = _filled(rng, size, _pool(("ja", ti), lambda g, t=topic: _ja_text(g, 40, t)), markup)
    if r > 0.995:  # an outage or maintenance notice: a hard case, no incident
        paras = _OUTAGE + paras
    elif r > 0.99:  # an incident word in its everyday sense: passes the prefilter, holds no notice
        paras = rng.choice(_EVERYDAY) + paras
    body = (f"<!doctype html><html><head><meta charset='{{cs}}'><title>{org} {_ja_text(rng, 3, topic)}</title></head>"
            f"<body><nav>ホーム お知らせ 会社概要</nav>{paras}{_JA_FOOTER.format(org=org)}</body></html>")
    enc = rng.choice(["utf-8", "utf-8", "utf-8", "cp932", "euc_jp"])
    label = {"utf-8": "utf-8", "cp932": "Shift_JIS", "euc_jp": "EUC-JP"}[enc]
    data = body.replace("{cs}", label).encode(enc, "replace")
    ctype = "text/html" if rng.random() < 0.5 else f"text/html; charset={label}"
    return f"https://{host}/{rng.choice(['blog', 'news', 'item', 'page'])}/{rng.randrange(10**5)}.html", "ja", \
        data, ctype


def _sample_text(name: str) -> str:
    raw = (SAMPLES / name).read_bytes()
    for enc in ("utf-8", "cp932", "euc_jp"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(name)


def notice_page(rng: random.Random, i: int, tag: int = 0) -> tuple[Notice, bytes, str | None, str]:
    """(notice, body, HTTP content type, record type) of the i-th notice put into a crawl."""
    kinds = ["html-utf8", "html-sjis-header", "html-eucjp-meta", "text-iso2022", "text-sjis-undeclared",
             "html-sample", "wet", "pdf"]
    kind = kinds[i % len(kinds)]
    host = f"www.notice{i}-{tag}.example.co.jp"
    if kind == "pdf":
        url = f"https://{host}/pdf/info{i}.pdf"
        return Notice(url, NOTICE_PDF, "binary", "application/pdf"), (SAMPLES / NOTICE_PDF).read_bytes(), \
            "application/pdf", "response"
    if kind == "html-sample":
        name = NOTICE_HTML[i // len(kinds) % len(NOTICE_HTML)]
        url = f"https://{host}/news/{i}.html"
        return Notice(url, name, "utf-8", "text/html"), (SAMPLES / name).read_bytes(), \
            "text/html; charset=utf-8", "response"
    name = NOTICE_FILES[i % len(NOTICE_FILES)]
    text = _sample_text(name)
    url = f"https://{host}/news/{i}.html"
    if kind == "wet":
        return Notice(url, name, "utf-8", "text/plain"), text.encode("utf-8"), None, "conversion"
    if kind.startswith("text"):
        enc = "iso2022_jp" if kind == "text-iso2022" else "cp932"
        url = url.replace(".html", ".txt")
        ctype = "text/plain" if kind == "text-sjis-undeclared" else "text/plain; charset=ISO-2022-JP"
        return Notice(url, name, enc, "text/plain"), text.encode(enc, "replace"), ctype, "response"
    enc = {"html-utf8": "utf-8", "html-sjis-header": "cp932", "html-eucjp-meta": "euc_jp"}[kind]
    label = {"utf-8": "utf-8", "cp932": "Shift_JIS", "euc_jp": "EUC-JP"}[enc]
    lines = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    meta = f"<meta charset='{label}'>" if kind == "html-eucjp-meta" else ""
    body = (f"<!doctype html><html><head>{meta}<title>{text.splitlines()[0]}</title></head><body>"
            f"<nav>ホーム お知らせ</nav><main>{lines}</main>{_JA_FOOTER.format(org='当社')}</body></html>")
    ctype = f"text/html; charset={label}" if kind == "html-sjis-header" else "text/html"
    return Notice(url, name, enc, "text/html"), body.encode(enc, "replace"), ctype, "response"


def write_crawl(folder: Path, *, files: int, pages_per_file: int, notices: int, seed: int = 7,
                mean_size: int = 12_000, gz: bool = True, extras: bool = True, level: int = 6) -> Crawl:
    """Write ``files`` WARC files of ``pages_per_file`` document records each, ``notices`` of
    them notices spread over the files; plus a request and a metadata record per response
    (as Common Crawl writes them), images and redirects when ``extras``."""
    rng = random.Random(seed)
    random.seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    crawl = Crawl()
    total = files * pages_per_file
    notice_at = set(rng.sample(range(total), notices)) if notices else set()
    k = 0
    for fi in range(files):
        path = folder / f"crawl-{fi:05d}.warc{'.gz' if gz else ''}"
        w = WarcWriter(path, level=level)
        w.write(_record("warcinfo", "", b"software: jikenbo test crawl\r\n", "2024-06-01T00:00:00Z",
                        content_type="application/warc-fields"))
        for _ in range(pages_per_file):
            date = f"2024-06-{1 + k % 28:02d}T{k % 24:02d}:{k % 60:02d}:00Z"
            if k in notice_at:
                notice, body, ctype, rtype = notice_page(rng, len(crawl.notices), seed)
                crawl.notices.append(notice)
                url = notice.url
            else:
                size = int(rng.expovariate(1 / mean_size)) + 500
                url, _, body, ctype = unrelated_page(rng, size)
                rtype = "response"
            k += 1
            crawl.pages += 1
            if rtype == "conversion":
                w.write(_record("conversion", url, body, date, content_type="text/plain",
                                extra={"WARC-Identified-Content-Language": "jpn"}))
                continue
            if extras:
                w.write(_record("request", url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", date,
                                content_type="application/http; msgtype=request"))
            w.write(_record("response", url, http_response(body, ctype), date))
            if extras:
                w.write(_record("metadata", url, b"fetchTimeMs: 120\r\n", date,
                                content_type="application/warc-fields"))
                if rng.random() < 0.05:  # an image and a redirect now and then: not pages
                    w.write(_record("response", url + ".jpg",
                                    http_response(rng.randbytes(2000), "image/jpeg"), date))
                    w.write(_record("response", url + "/old", http_response(b"", None, "301 Moved Permanently",
                                                                            {"Location": url}), date))
        w.close()
        crawl.files.append(path)
    return crawl


def write_records(path: Path, records: list[bytes]) -> None:
    """Write ready-made WARC records (from ``record``) to ``path``."""
    w = WarcWriter(path)
    for r in records:
        w.write(r)
    w.close()


def record(rtype: str, url: str, block: bytes, date: str = "2024-06-01T00:00:00Z",
           extra: dict[str, str] | None = None, content_type: str = "application/http; msgtype=response") -> bytes:
    return _record(rtype, url, block, date, extra, content_type)


def gunzip_ok(path: Path) -> bool:
    try:
        with gzip.open(path) as f:
            while f.read(1 << 20):
                pass
        return True
    except (OSError, EOFError):
        return False
