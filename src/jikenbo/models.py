"""Plain data that flows between the pipeline stages.

read → Document → segment → Segment → extract → Record → link/store → Incident

Every stage takes and returns these objects (or their ``model_dump()`` dicts), so a
stage can run on its own, in another process, or on a distributed engine.
Offsets (``start``/``end``) always index ``Document.text``: the text as read, before
normalisation, so evidence can be shown against what the user sees.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IncidentType = Literal[
    "unauthorized_access", "ransomware", "malware", "misconfiguration", "misdelivery", "loss",
    "theft", "insider", "impersonation", "system_error", "fraud", "other",
]
LeakStatus = Literal["confirmed", "possible", "not_confirmed", "none", "unknown"]
Authority = Literal["ppc", "police", "jipdec", "ministry"]
EventKind = Literal[
    "started", "detected", "contained", "reported_ppc", "reported_police", "reported_ministry",
    "reported_jipdec", "notified_individuals", "disclosed", "investigated", "other",
]
Precision = Literal["day", "month", "year", "approximate"]
NoticeKind = Literal["first_report", "follow_up", "final_report", "news_report", "unknown"]
SecondaryDamage = Literal["none_confirmed", "confirmed", "unknown"]

INCIDENT_TYPES: tuple[str, ...] = IncidentType.__args__  # type: ignore[attr-defined]
LEAK_STATUSES: tuple[str, ...] = LeakStatus.__args__  # type: ignore[attr-defined]
AUTHORITIES: tuple[str, ...] = Authority.__args__  # type: ignore[attr-defined]
DATA_CATEGORIES: tuple[str, ...] = (
    "name", "address", "phone", "fax", "email", "birthdate", "gender", "age", "affiliation",
    "login_id", "password", "customer_id", "government_id", "credit_card", "bank_account",
    "health", "purchase_history", "photo", "url_sns", "device_info", "other",
)


class _Plain(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Span(_Plain):
    """A piece of ``Document.text``: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str


class Evidence(Span):
    """Why the record holds a value: the field, the value and the text it came from."""

    field: str
    value: str | int | bool | None = None


class Event(Span):
    """A dated event of the incident's timeline."""

    kind: EventKind
    date: str  # ISO: YYYY-MM-DD (precision day), YYYY-MM-01 (month), YYYY-01-01 (year)
    precision: Precision = "day"
    end_date: str | None = None  # for ranges such as 4月24日～25日


class Count(Span):
    """A number the notice gives, with its unit, qualifier and what it counts."""

    value: int
    unit: str | None = None  # 人, 名, 件, アカウント, 社, 本 ...
    qualifier: str | None = None  # 最大, 約, 超, 計, 以上, 合計 ...
    what: str | None = None  # 企業ユーザー, クレジットカード情報 ...
    is_total: bool = False  # the notice's overall figure of affected people/records


class ThirdParty(Span):
    name: str
    role: Literal["vendor", "cloud", "contractor", "subsidiary", "other"] = "other"


class Document(_Plain):
    """One input as read: raw bytes' hash and the text extracted from it."""

    source: str  # the input exactly as given (path, URL or "-")
    text: str
    sha256: str
    media_type: str = "text/plain"  # text/plain, text/html, application/pdf
    encoding: str | None = None
    url: str | None = None
    fetched_at: str | None = None  # ISO timestamp for URLs
    title: str | None = None
    published: str | None = None  # ISO date the page states for itself (HTML meta), if any
    warnings: list[str] = Field(default_factory=list)  # what the reader left out, one line each


class ReadError(_Plain):
    """An input that could not be read; ``message`` is one line for the user."""

    source: str
    message: str


class Segment(_Plain):
    """One incident notice inside a document (a digest page holds many)."""

    source: str
    doc_sha256: str
    start: int
    end: int
    text: str  # == document.text[start:end]
    header: str | None = None  # digest entry header line, when there is one
    organization_hint: str | None = None
    date_hint: str | None = None  # ISO date printed with the entry / notice
    title_hint: str | None = None


class Record(_Plain):
    """One incident notice, extracted. The first block is the evaluation contract."""

    source: str
    organization: str | None = None
    disclosure_date: str | None = None
    detected_date: str | None = None
    incident_types: list[str] = Field(default_factory=list)
    leak_status: str = "unknown"
    affected_total: int | None = None
    data_categories: list[str] = Field(default_factory=list)
    sensitive: bool = False
    payment_card: bool = False
    reported_to: list[str] = Field(default_factory=list)

    title: str | None = None
    industry: str | None = None  # JSIC 大分類 name guessed from the organisation (医療,福祉 / 教育,学習支援業 ...)
    notice_kind: str = "unknown"
    timeline: list[Event] = Field(default_factory=list)
    counts: list[Count] = Field(default_factory=list)
    third_parties: list[ThirdParty] = Field(default_factory=list)
    cause: Span | None = None
    countermeasures: list[Span] = Field(default_factory=list)
    secondary_damage: str = "unknown"
    references: list[str] = Field(default_factory=list)  # ISO dates of earlier notices cited
    evidence: list[Evidence] = Field(default_factory=list)

    # what linking reads besides the fields above (jikenbo/extract/linkcues.py)
    aliases: list[str] = Field(default_factory=list)  # other names the notice gives its organisation
    co_organizations: list[str] = Field(default_factory=list)  # organisations announcing jointly
    vendors: list[str] = Field(default_factory=list)  # contractor / service where it happened
    mentioned_organizations: list[str] = Field(default_factory=list)  # every other organisation named
    named_systems: list[str] = Field(default_factory=list)  # systems, services, apps named (「…」, Latin names)
    announced_days: list[str] = Field(default_factory=list)  # "MM-DD" of announcements the text reports
    years: list[int] = Field(default_factory=list)  # explicit years the text names
    url_date: str | None = None  # a date in the page's URL path (news archives)

    doc_sha256: str = ""
    segment_start: int = 0
    segment_end: int = 0
    url: str | None = None

    def evidence_for(self, field: str) -> list[Evidence]:
        return [e for e in self.evidence if e.field == field]
