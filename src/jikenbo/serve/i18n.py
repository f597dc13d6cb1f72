"""UI text in Japanese (default) and English, and labels for the values the store holds.

The language comes from ``?lang=ja|en`` (which also sets the ``lang`` cookie) or the cookie.
"""

from __future__ import annotations

from typing import Any

LANGS = ("ja", "en")

# value labels: {group: {value: (ja, en)}}
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "type": {
        "unauthorized_access": ("不正アクセス", "unauthorized access"),
        "ransomware": ("ランサムウェア", "ransomware"),
        "malware": ("マルウェア", "malware"),
        "misconfiguration": ("設定不備", "misconfiguration"),
        "misdelivery": ("誤送信・誤送付", "misdelivery"),
        "loss": ("紛失", "loss"),
        "theft": ("盗難", "theft"),
        "insider": ("内部不正", "insider"),
        "impersonation": ("なりすまし", "impersonation"),
        "system_error": ("システム不具合", "system error"),
        "fraud": ("詐欺", "fraud"),
        "other": ("その他", "other"),
    },
    "leak_status": {
        "confirmed": ("漏えい確認", "confirmed"),
        "possible": ("漏えいのおそれ", "possible"),
        "not_confirmed": ("漏えい未確認", "not confirmed"),
        "none": ("漏えいなし", "none"),
        "unknown": ("不明", "unknown"),
    },
    "category": {
        "name": ("氏名", "name"), "address": ("住所", "address"), "phone": ("電話番号", "phone"),
        "fax": ("FAX番号", "fax"), "email": ("メールアドレス", "email"), "birthdate": ("生年月日", "birth date"),
        "gender": ("性別", "gender"), "age": ("年齢", "age"), "affiliation": ("所属", "affiliation"),
        "login_id": ("ログインID", "login ID"), "password": ("パスワード", "password"),
        "customer_id": ("顧客番号", "customer ID"), "government_id": ("公的番号", "government ID"),
        "credit_card": ("クレジットカード", "credit card"), "bank_account": ("銀行口座", "bank account"),
        "health": ("健康・医療情報", "health"), "purchase_history": ("購入履歴", "purchase history"),
        "photo": ("写真", "photo"), "url_sns": ("URL・SNS", "URL / SNS"), "device_info": ("端末情報", "device info"),
        "other": ("その他", "other"),
    },
    "authority": {
        "ppc": ("個人情報保護委員会", "PPC"), "police": ("警察", "police"),
        "jipdec": ("JIPDEC", "JIPDEC"), "ministry": ("所管省庁", "ministry"),
    },
    "kind": {
        "first_report": ("第1報", "first report"), "follow_up": ("続報", "follow-up"),
        "final_report": ("最終報", "final report"), "news_report": ("報道", "news"),
        "unknown": ("不明", "unknown"),
    },
    "event": {
        "started": ("発生", "started"), "detected": ("検知", "detected"), "contained": ("封じ込め", "contained"),
        "reported_ppc": ("個情委へ報告", "reported to PPC"), "reported_police": ("警察へ相談・届出", "reported to police"),
        "reported_ministry": ("所管省庁へ報告", "reported to ministry"),
        "reported_jipdec": ("JIPDECへ報告", "reported to JIPDEC"),
        "notified_individuals": ("本人へ通知", "individuals notified"), "disclosed": ("公表", "disclosed"),
        "investigated": ("調査", "investigated"), "other": ("その他", "other"),
    },
    "bool": {"true": ("あり", "yes"), "false": ("なし", "no")},
    "facet": {
        "year": ("年", "year"), "type": ("種別", "type"), "leak_status": ("漏えい状況", "leak status"),
        "category": ("情報の種類", "data category"), "sensitive": ("要配慮個人情報", "sensitive data"),
        "card": ("カード情報", "payment card"), "authority": ("報告先", "reported to"),
        "vendor": ("委託先・ベンダー", "vendor"), "industry": ("業種", "industry"),
    },
    "field": {
        "organization": ("組織", "organization"), "title": ("表題", "title"), "industry": ("業種", "industry"),
        "disclosure_date": ("公表日", "disclosure date"), "detected_date": ("検知日", "detected"),
        "incident_types": ("種別", "type"), "leak_status": ("漏えい状況", "leak status"),
        "affected_total": ("影響人数", "people affected"), "data_categories": ("情報の種類", "data categories"),
        "sensitive": ("要配慮個人情報", "sensitive data"), "payment_card": ("カード情報", "payment card"),
        "reported_to": ("報告先", "reported to"),
    },
    "sort": {
        "": ("標準 (検索時は関連度順、ほかは新しい順)", "default (relevance when searching, else newest)"),
        "relevance": ("関連度順", "relevance"), "-disclosure_date": ("公表日 (新しい順)", "newest first"),
        "disclosure_date": ("公表日 (古い順)", "oldest first"),
        "-affected_total": ("影響人数 (多い順)", "most affected"), "affected_total": ("影響人数 (少ない順)", "least affected"),
        "-last_updated": ("更新日 (新しい順)", "recently updated"), "organization": ("組織名順", "organization"),
    },
}

UI: dict[str, tuple[str, str]] = {
    "app": ("事件簿", "jikenbo"),
    "nav_incidents": ("インシデント", "Incidents"), "nav_stats": ("統計", "Statistics"),
    "nav_try": ("通知を試す", "Try a notice"), "nav_api": ("API", "API"),
    "search": ("検索", "Search"), "search_placeholder": ("例: ランサムウェア 病院", "e.g. ランサムウェア 病院"),
    "sort": ("並び順", "Sort"), "apply": ("適用", "Apply"), "clear": ("条件をクリア", "Clear filters"),
    "total": ("{n} 件", "{n} incidents"),
    "total_at_least": ("{n} 件以上", "{n} or more incidents"), "showing": ("{a}–{b} 件目を表示", "showing {a}–{b}"),
    "no_results": ("該当するインシデントはありません。", "No incidents match."),
    "prev": ("前へ", "Previous"), "next": ("次へ", "Next"), "page": ("{p} / {n} ページ", "page {p} of {n}"),
    "filters": ("絞り込み", "Filters"), "active_filters": ("条件", "Filters"),
    "organization": ("組織", "Organization"), "date": ("公表日", "Disclosed"), "type": ("種別", "Type"),
    "affected": ("影響人数", "Affected"), "leak": ("漏えい", "Leak"), "notices": ("通知", "Notices"),
    "unknown": ("不明", "unknown"), "people": ("{n} 人", "{n} people"),
    "timeline": ("時系列", "Timeline"), "fields": ("項目と根拠", "Values and their evidence"),
    "field": ("項目", "Field"), "value": ("値", "Value"), "evidence": ("根拠", "Evidence"),
    "no_evidence": ("根拠なし", "no span"), "notice_text": ("通知本文", "Notice text"),
    "linked_notices": ("関連する通知・報道", "Notices and news"), "revisions": ("訂正の経過", "Revisions"),
    "first_to_latest": ("初報 → 最新", "first reported → latest"), "no_revisions": ("訂正はありません。", "No value changed."),
    "related": ("同じ委託先の他のインシデント", "Other incidents through the same vendors"),
    "no_related": ("ありません。", "None."),
    "vendor_group": ("委託先・サービス: {name}", "Vendor / service: {name}"),
    "vendor_own": ("この事業者自身の公表", "The vendor's own notices"),
    "vendor_customers": ("この事業者を原因として挙げた各組織のインシデント", "Incidents of organisations that name this vendor"),
    "why_linked": ("まとめた理由", "why linked"), "sources": ("原典", "Original sources"),
    "no_url": ("URL なし (ファイルから取り込み)", "no URL (read from a file)"),
    "judge": ("個人情報保護法の判定", "APPI judgement"), "reportable": ("個情委への報告", "Report to PPC"),
    "reportable_yes": ("要報告", "reportable"), "reportable_no": ("報告不要", "not reportable"),
    "reportable_none": ("判断できない", "cannot tell"), "reason": ("理由", "Reason"),
    "rule": ("適用", "Rule"), "no_duty": ("報告義務なし", "no duty to report"),
    "over_people": ("本人の数 {n} 人超", "more than {n} people"),
    "triggers": ("該当事由", "Triggers"), "missing_items": ("公表に欠けている項目", "Items the notices lack"),
    "deadlines": ("期限", "Deadlines"), "sokuho": ("速報 (3〜5日以内)", "preliminary report (3–5 days)"),
    "kakuho": ("確報", "final report"), "notes": ("注記", "Notes"), "json": ("JSON", "JSON"),
    "stats_title": ("統計", "Statistics"), "per_month": ("月別インシデント数 (種別ごと)", "Incidents per month, by type"),
    "affected_hist": ("1件あたりの影響人数 (対数目盛)", "People affected per incident (log scale)"),
    "categories_chart": ("漏えいした情報の種類", "Data categories"),
    "lag_hist": ("検知から公表までの日数", "Days from detection to disclosure"),
    "top_vendors": ("関係の多い委託先", "Top vendors"), "n_stated": ("n = {n} (不明 {u})", "n = {n} ({u} unknown)"),
    "try_title": ("通知を試す", "Try a notice"),
    "try_help": ("通知の本文を貼り付けるか、ファイル (HTML・PDF・テキスト) を選ぶか、URL を入力してください。"
                 "抽出結果を確認してから保存できます。",
                 "Paste a notice, choose a file (HTML, PDF, text) or give a URL. See what is extracted, then store it."),
    "paste": ("本文", "Text"),
    "url": ("または URL (公開サイトのみ)", "or a URL (public sites only)"),
    "file": ("ファイル", "File"), "extract": ("抽出する", "Extract"),
    "store_it": ("この通知を保存", "Store this notice"), "token": ("トークン", "Token"),
    "records": ("抽出された記録: {n} 件", "{n} record(s) extracted"),
    "no_records": ("通知が見つかりませんでした。", "No incident notice found."),
    "stored": ("保存しました", "Stored"), "writes_disabled": ("このサーバーでは保存できません (トークン未設定)。",
                                                              "Storing is disabled on this server (no token configured)."),
    "error": ("エラー", "Error"), "back": ("一覧へ戻る", "Back to the list"), "lang_switch": ("English", "日本語"),
    "footer": ("事件簿: 公表された情報漏えい通知の記録", "jikenbo: a record of published breach notices"),
    "skip": ("本文へ移動", "Skip to content"), "show_all": ("すべて表示", "show all"),
    "no_vendors": ("委託先・ベンダーの記載がある事案はありません。", "No incident names a vendor."),
    "facets_pending": ("件数を集計中です (再読み込みで表示されます)。", "Counting… (reload to see the counts)."),
    "of_total": ("全 {n} 件中", "of {n}"), "yes": ("はい", "yes"), "no": ("いいえ", "no"),
    "vendor": ("委託先", "Vendor"), "incidents_n": ("インシデント数", "incidents"),
    "months": ("月", "month"), "people_axis": ("人数", "people"), "days_axis": ("日数", "days"),
}


def t(lang: str, key: str, **kw: Any) -> str:
    """UI string ``key`` in ``lang``."""
    pair = UI.get(key)
    if pair is None:
        return key
    s = pair[1] if lang == "en" else pair[0]
    return s.format(**kw) if kw else s


def label(lang: str, group: str, value: Any) -> str:
    """A readable label of a stored value (the value itself when it has none)."""
    if value is None:
        return t(lang, "unknown")
    key = str(value).lower() if isinstance(value, bool) else str(value)
    pair = VALUES.get(group, {}).get(key)
    if pair is None:
        return str(value)
    return pair[1] if lang == "en" else pair[0]
