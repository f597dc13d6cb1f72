"""UI text in Japanese (default) and English, and labels for the values the store holds.

The language comes from ``?lang=ja|en`` (which also sets the ``lang`` cookie) or the cookie.
"""

from __future__ import annotations

import re
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
    "change": {
        "new": ("新規", "new incident"), "new_notice": ("新しい公表", "new notice"),
        "revised": ("件数の更新", "revised count"), "confirmed": ("漏えい確認", "leak confirmed"),
    },
    "delivery": {
        "none": ("", ""), "pending": ("未配信", "pending"), "delivered": ("配信済み", "delivered"),
        "failed": ("配信失敗", "failed"),
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
    # JSIC 大分類 (what link.py guesses from the organisation's name)
    "industry": {
        "農業,林業": ("農業,林業", "agriculture, forestry"), "漁業": ("漁業", "fisheries"),
        "鉱業,採石業,砂利採取業": ("鉱業,採石業,砂利採取業", "mining, quarrying"),
        "建設業": ("建設業", "construction"), "製造業": ("製造業", "manufacturing"),
        "電気・ガス・熱供給・水道業": ("電気・ガス・熱供給・水道業", "electricity, gas, heat, water"),
        "情報通信業": ("情報通信業", "information and communications"),
        "運輸業,郵便業": ("運輸業,郵便業", "transport and postal"),
        "卸売業,小売業": ("卸売業,小売業", "wholesale and retail"),
        "金融業,保険業": ("金融業,保険業", "finance and insurance"),
        "不動産業,物品賃貸業": ("不動産業,物品賃貸業", "real estate, goods rental"),
        "学術研究,専門・技術サービス業": ("学術研究,専門・技術サービス業", "research, professional and technical services"),
        "宿泊業,飲食サービス業": ("宿泊業,飲食サービス業", "accommodation, food services"),
        "生活関連サービス業,娯楽業": ("生活関連サービス業,娯楽業", "personal services, entertainment"),
        "教育,学習支援業": ("教育,学習支援業", "education"), "医療,福祉": ("医療,福祉", "medical, health care and welfare"),
        "複合サービス事業": ("複合サービス事業", "compound services"),
        "サービス業(他に分類されないもの)": ("サービス業(他に分類されないもの)", "services (not elsewhere classified)"),
        "公務": ("公務", "government"), "unknown": ("不明", "unknown"),
    },
    # 規則7条 triggers (jikenbo.judge codes); {threshold}: the count above which it is reportable
    "trigger": {
        "sensitive": ("要配慮個人情報", "sensitive personal data"),
        "financial": ("財産的被害のおそれ", "risk of financial damage"),
        "malicious": ("不正の目的によるおそれ", "possibly for a wrongful purpose"),
        "over_threshold": ("本人の数が{threshold}人を超える", "more than {threshold} people"),
    },
    # body kinds of data/judge/bodies.toml: who follows which rule
    "body": {
        "business": ("個人情報取扱事業者", "a business"),
        "art58": ("法58条の法人 (別表第二ほか)", "a body listed under art. 58 (national universities, research agencies …)"),
        "incorporated_admin": ("独立行政法人等 (行政機関等)", "an incorporated administrative agency (public body)"),
        "national": ("行政機関 (国)", "a national administrative organ"),
        "local": ("地方公共団体の機関", "an organ of a local government"),
        "local_iai": ("地方独立行政法人", "a local incorporated administrative agency"),
        "local_iai_art58": ("地方独立行政法人 (病院・大学・試験研究: 法58条1項2号)",
                            "a local incorporated administrative agency running a hospital, university or research"),
        "local_medical": ("地方公共団体の病院・診療所・大学 (法58条2項1号)",
                          "a hospital, clinic or university of a local government"),
        "court": ("裁判所", "a court"), "diet": ("国会", "the Diet"),
    },
    "body_basis": {
        "name": ("組織名から判定", "from the name"),
        "industry": ("業種 (公務) から判定", "from the industry (government)"),
        "default": ("組織名がどの公的機関にも当たらないため", "the name matches no public body"),
        "unnamed": ("組織名がないため事業者の規則を適用", "no organisation named: the business rule is applied"),
        "option": ("指定による", "as given"),
    },
    # 規則8条 report items (jikenbo.judge notice_items keys)
    "report_item": {
        "summary": ("概要", "summary"),
        "data_items": ("漏えい等が発生し又は発生したおそれがある個人データの項目", "the kinds of personal data"),
        "people": ("本人の数", "number of people"), "cause": ("原因", "cause"),
        "secondary_damage": ("二次被害又はそのおそれの有無及びその内容", "secondary damage"),
        "response_to_individuals": ("本人への対応の実施状況", "what was done for the people affected"),
        "publication": ("公表の実施状況", "publication"),
        "prevention": ("再発防止のための措置", "measures against recurrence"),
        "other": ("その他参考となる事項", "other"),
    },
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
    "stats_title": ("統計", "Statistics"), "per_month": ("月別インシデント数", "Incidents per month"),
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
    "try_warnings": ("注意 {n} 件: 文書が大きく一部だけを読んだか、組織名が見つからない通知を除きました"
                     " (上限は read.toml)。",
                     "{n} warning(s): the document was read only in part, or notices without an "
                     "organisation were left out (limits in read.toml):"),
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
    "incidents_per_month": ("インシデント", "incidents"),
    "casebook_entry": ("この事件の記録", "Casebook entry"), "nav_reports": ("月報", "Reports"),
    "back_incident": ("← インシデント", "← incident"), "back_incidents": ("← インシデント", "← incidents"),
    "year_review": ("{y}年の年報", "{y} review"),
    "types_chart": ("インシデント種別 (1件に複数の種別があれば、それぞれに数えます)",
                    "Incident types (an incident with several types counts once for each)"),
    "n_types": ("種別の数 {k} (種別のあるインシデント {n} 件)", "{k} type counts over {n} incidents with a type"),
    "n_vendor_links": ("インシデントと委託先の組 {k} (1件が複数の委託先に数えられます)",
                       "{k} incident–vendor pairs (an incident can count for several vendors)"),
    "being_counted": ("集計中です。しばらくしてから再読み込みしてください。", "Being counted: reload in a moment."),
    "days_unit": ("日", "d"),
    "deadline_reference": ("参考: 報告が必要だった場合の期限です。", "For reference only: the deadlines had it been reportable."),
    "notes_untranslated": ("ほか {n} 件の注記は英語のみです (JSON を参照)。", "{n} more note(s) in the JSON."),
    "error_detail": ("詳細 (英語)", "Detail"),
    # judgement reasons (built from the judgement's fields, the same in both languages)
    "why_yes": ("{articles}の事由 {n} 件に当たります。", "{n} trigger(s) of {articles} apply."),
    "why_no_data": ("漏えい等のおそれのある個人データがありません。", "No personal data was at risk."),
    "why_no_count": ("{articles}の事由はありません (本人の数 {n} 人は {limit} 人以下)。",
                     "No {articles} trigger: {n} people, not more than {limit}."),
    "why_no": ("{articles}の事由はありません。", "No {articles} trigger."),
    "why_unknown_data": ("個人データが関わったかどうか、通知からは分かりません。",
                         "The notices do not say whether personal data was involved."),
    "why_unknown_count": ("{articles}の事由がなく、本人の数も分かりません ({limit} 人を超えれば要報告)。",
                          "No {articles} trigger and no count: more than {limit} people would make it reportable."),
    "why_unknown": ("通知からは判断できません。", "The notices do not tell."),
    "why_exempt_encrypted": ("報告対象外: 高度な暗号化その他の措置が講じられていました。",
                             "Exempt: the data was strongly encrypted."),
    "why_exempt_recovered": ("報告対象外: 第三者が見る前にすべて回収されました。",
                             "Exempt: every copy was recovered before any third party saw it."),
    "why_exempt": ("報告対象外です。", "Exempt."),
    "why_no_duty": ("報告義務はありません ({body})。", "No duty to report ({body})."),
    "why_not_yet": ("当時は報告義務がありませんでした ({rule} はこの機関に {since} から適用、事案は {date})。現在なら: {today}",
                    "No duty at the time ({rule} applies to this body from {since}; the case dates from {date}). "
                    "Today: {today}"),
    "rule_line": ("{rule} ({articles}, 本人の数 {n} 人超) · {body}", "{rule} ({articles}, more than {n} people) · {body}"),
    # the alerts page (serve/alerts.py)
    "nav_alerts": ("アラート", "Alerts"), "alerts_title": ("アラート", "Alerts"),
    "alerts_none": ("アラートはまだありません。", "No alerts yet."),
    "alerts_hint": ("ウォッチを作成するコマンド:", "Create watches with"),
    "alerts_watch": ("ウォッチ", "Watch"), "alerts_all": ("すべて", "All"), "alerts_change": ("変化", "Change"),
    "alerts_at": ("記録日時", "Recorded"), "alerts_feed": ("更新情報フィード", "Atom feed"),
    "alerts_delivery": ("配信", "Delivery"),
}

# Messages of the judge (notes) and of errors, recognised by their English wording; each as
# (pattern, ja, en). A message no pattern knows is shown as it is in English and, in Japanese,
# as the status line with the original under a "detail" heading.
NOTES: list[tuple[str, str, str]] = [
    (r"if personal data was at risk, these triggers would make it reportable(: (?P<codes>.*))?",
     "個人データが関わっていれば、次の事由により要報告です: {codes}",
     "If personal data was involved, these triggers would make it reportable: {codes}"),
    (r"health data named only as a booking \(予約\): a booking alone is not 要配慮個人情報",
     "健康情報は予約として書かれているだけです: 予約だけでは要配慮個人情報に当たりません。",
     "Health data named only as a booking: a booking alone is not sensitive personal data."),
    (r"only the last digits of card numbers: they cannot be misused \(規則7条2号 not met\)",
     "カード番号は下桁だけです: 不正利用できないため規則7条2号には当たりません。",
     "Only the last digits of card numbers: they cannot be misused (rules art. 7(2) not met)."),
    (r"a bank account number without its PIN or net-banking credentials is not 規則7条2号",
     "暗証番号やネットバンキングの認証情報を伴わない口座番号は規則7条2号に当たりません。",
     "A bank account number without its PIN or net-banking credentials does not meet rules art. 7(2)."),
    (r"an insider took the data out, but the notice gives no sign of an improper purpose \(不正の目的\): 3号 not applied",
     "内部の者による持ち出しですが、不正の目的をうかがわせる記載がないため3号は適用していません。",
     "An insider took the data out, but the notice gives no sign of an improper purpose: art. 7(3) not applied."),
    (r"a business would have to report this: (?P<codes>.*)",
     "事業者であれば報告が必要な事案です: {codes}", "A business would have to report this: {codes}"),
    (r"without the exemption these would fire: (?P<codes>.*)",
     "報告対象外でなければ次の事由に当たります: {codes}", "Without the exemption these would apply: {codes}"),
    (r"the notice says the data was encrypted, but the key or password went with it: no exemption",
     "暗号化されていたとありますが、鍵やパスワードも漏えいしたため報告対象外にはなりません。",
     "The notice says the data was encrypted, but the key or password went with it: no exemption."),
    (r"the notice says the data was encrypted, but neither that it was strong \(高度な暗号化\) nor that its key "
     r"was kept safe: no exemption applied",
     "暗号化されていたとありますが、高度な暗号化であることも鍵が守られたことも書かれていないため、報告対象外とはしていません。",
     "The notice says the data was encrypted, but not that it was strong nor that its key was kept safe: "
     "no exemption applied."),
    (r"the notice gives no date: judged under today's law \((?P<rule>\S+) applies to this body from (?P<since>[\d-]+)\)",
     "通知に日付がないため、現行法で判定しました ({rule} はこの機関に {since} から適用)。",
     "The notice gives no date: judged under today's law ({rule} applies to this body from {since})."),
    (r"the organisation is not named: the business rule \(more than 1,000 people\) was applied",
     "組織名がないため、事業者の規則 (1,000 人超) を適用しました。",
     "The organisation is not named: the business rule (more than 1,000 people) was applied."),
    (r"the investigation found no leak; the おそれ at detection still made it reportable",
     "調査で漏えいは確認されませんでしたが、検知時点のおそれにより報告対象でした。",
     "The investigation found no leak; the risk at detection still made it reportable."),
    (r"login ID and password leaked: 規則7条2号 also applies if the service can pay or remit",
     "ログインIDとパスワードが漏えい: サービスで決済・送金ができるなら規則7条2号にも当たります。",
     "Login ID and password leaked: art. 7(2) also applies if the service can pay or remit."),
    (r"reportable, but the notice does not say 個人情報保護委員会 was told",
     "要報告ですが、個人情報保護委員会への報告は通知に書かれていません。",
     "Reportable, but the notices do not say the PPC was told."),
    (r"the notice says the data was encrypted: strong encryption \(高度な暗号化\) exempts it",
     "データは暗号化されていたとあります: 高度な暗号化であれば報告対象外です。",
     "The notice says the data was encrypted: strong encryption exempts it."),
]
MESSAGES: list[tuple[str, str, str]] = [
    (r"search (?P<q>.+): no words to search for", "検索 {q}: 検索できる語がありません。", "search {q}: no words to search for"),
    (r"search: give at least one word to search for", "検索する語を入力してください。",
     "search: give at least one word to search for"),
    (r"search (?P<q>.+): cannot be searched .*", "検索 {q}: この語では検索できません。", "search {q}: cannot be searched"),
    (r"search results reach only (?P<n>\d+) deep: narrow the search",
     "検索結果は {n} 件目までです。条件を絞ってください。", "search results reach only {n} deep: narrow the search"),
    (r"incident (?P<id>'[^']*') not found", "インシデント {id} は見つかりません。", "incident {id} not found"),
    (r"notice (?P<id>'[^']*') not found", "通知 {id} は見つかりません。", "notice {id} not found"),
    (r"(?P<what>\S+) (?P<v>'[^']*'): expected YYYY, YYYY-MM or YYYY-MM-DD",
     "{what} {v}: 日付は YYYY・YYYY-MM・YYYY-MM-DD で指定してください。", "{what} {v}: expected YYYY, YYYY-MM or YYYY-MM-DD"),
    (r"(?P<what>\S+) (?P<v>'[^']*'): not a date .*", "{what} {v}: 日付ではありません。", "{what} {v}: not a date"),
    (r"paste a notice, choose a file or give a URL", "通知を貼り付けるか、ファイルを選ぶか、URL を入力してください。",
     "paste a notice, choose a file or give a URL"),
    (r"that extraction has expired: extract the notice again", "抽出結果の保存期限が切れました。もう一度抽出してください。",
     "that extraction has expired: extract the notice again"),
    (r"(?P<src>.+): text too long for one request \((?P<n>[\d,]+) characters; the limit is (?P<lim>[\d,]+).*",
     "{src}: 1回に抽出できる文字数を超えています ({n} 文字、上限 {lim} 文字)。大きな文書は jikenbo ingest で取り込んでください。",
     "{src}: text too long for one request ({n} characters; the limit is {lim}): ingest big documents with `jikenbo ingest`"),
    (r"(?P<src>.+): file too large \(the limit is (?P<lim>[\d,]+) bytes\)",
     "{src}: ファイルが大きすぎます (上限 {lim} バイト)。", "{src}: file too large (the limit is {lim} bytes)"),
    (r"request body too large \(the limit is (?P<lim>[\d,]+) bytes\)",
     "送信データが大きすぎます (上限 {lim} バイト)。", "request body too large (the limit is {lim} bytes)"),
    (r"the server is busy extracting \((?P<n>\d+) requests at once\); try again in (?P<s>\d+) s",
     "サーバーが抽出処理で混み合っています。{s} 秒後にもう一度お試しください。",
     "the server is busy extracting ({n} requests at once); try again in {s} s"),
    (r"too many extraction requests from (?P<c>\S+); try again in (?P<s>\d+) s.*",
     "抽出の依頼が多すぎます ({c})。{s} 秒後にもう一度お試しください。",
     "too many extraction requests from {c}; try again in {s} s (a token lifts the limit)"),
    (r"cross-origin write refused", "別のサイトからの保存は受け付けません。", "cross-origin write refused"),
    (r"writes to a server on this machine must address it as localhost or 127.0.0.1",
     "このマシン上のサーバーへの保存は localhost か 127.0.0.1 で接続してください。",
     "writes to a server on this machine must address it as localhost or 127.0.0.1"),
    (r"reading needs the server's token .*", "閲覧にはサーバーのトークンが必要です (アドレスに ?token=… を付けて一度開いてください)。",
     "reading needs the server's token (Authorization: Bearer <token>, or ?token=<token> in the address)"),
    (r"writing needs the server's token .*", "保存にはサーバーのトークンが必要です。",
     "writing needs the server's token (Authorization: Bearer <token>)"),
    (r"writing is disabled: .*", "このサーバーでは保存できません (トークン未設定)。",
     "writing is disabled: the server listens beyond this machine and has no token"),
    (r"internal error \(see the server log\)", "内部エラーです (サーバーのログを参照)。", "internal error (see the server log)"),
    (r"Not Found", "見つかりません。", "Not Found"),
    (r"Method Not Allowed", "この操作はできません。", "Method Not Allowed"),
]
STATUS: dict[int, tuple[str, str]] = {
    400: ("リクエストを処理できませんでした。", "The request could not be handled."),
    401: ("トークンが必要です。", "A token is needed."),
    403: ("許可されていません。", "Not allowed."), 404: ("見つかりません。", "Not found."),
    413: ("データが大きすぎます。", "Too large."), 422: ("入力が正しくありません。", "Invalid input."),
    429: ("リクエストが多すぎます。", "Too many requests."), 500: ("内部エラーです。", "Internal error."),
    503: ("現在利用できません。しばらくしてからお試しください。", "Not available now: try again later."),
}
_NOTES = [(re.compile(p), ja, en) for p, ja, en in NOTES]
_MESSAGES = [(re.compile(p), ja, en) for p, ja, en in MESSAGES]


def _pick(lang: str, ja: str, en: str) -> str:
    return en if lang == "en" else ja


def message(lang: str, text: str, status: int = 400) -> tuple[str, str | None]:
    """(the message in ``lang``, the original when it could not be translated, else None)."""
    for rx, ja, en in _MESSAGES:
        m = rx.fullmatch(text)
        if m:
            return _pick(lang, ja, en).format(**m.groupdict()), None
    if lang == "en":
        return text, None
    return _pick(lang, *STATUS.get(status, STATUS[400])), text


def _num(lang: str, n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


def article(lang: str, text: str | None) -> str:
    """A citation of the Act (法26条) or its rules (規則7条1号) in ``lang``."""
    if not text:
        return ""
    if lang == "ja":
        return text
    out = re.sub(r"規則(\d+)条(\d+)号", r"APPI rules art. \1(\2)", text)
    out = re.sub(r"規則(\d+)条", r"APPI rules art. \1", out)
    out = re.sub(r"法(\d+)条(\d+)項(\d+)号", r"art. \1(\2)(\3)", out)
    out = re.sub(r"法(\d+)条", r"APPI art. \1", out)
    return out


def _trigger(lang: str, code: str, threshold: Any, art: str | None = None) -> str:
    pair = VALUES["trigger"].get(code)
    name = _pick(lang, *pair).format(threshold=_num(lang, threshold)) if pair else code
    return f"{name} ({article(lang, art)})" if art else name


def _note(lang: str, note: str, threshold: Any) -> str | None:
    for rx, ja, en in _NOTES:
        m = rx.fullmatch(note)
        if m:
            groups = {k: v or "" for k, v in m.groupdict().items()}
            if "codes" in groups:
                sep = "、" if lang == "ja" else ", "
                groups["codes"] = sep.join(_trigger(lang, c.strip(), threshold)
                                           for c in groups["codes"].split(",") if c.strip())
            if "rule" in groups:
                groups["rule"] = article(lang, groups["rule"])
            return _pick(lang, ja, en).format(**groups).rstrip(": ")
    return None


def _verdict_word(lang: str, rep: bool | None) -> str:
    return t(lang, "reportable_none" if rep is None else ("reportable_yes" if rep else "reportable_no"))


def judgement(lang: str, j: dict, affected: int | None) -> dict[str, Any]:
    """What the incident page shows of a judgement, every word from this catalogue: the rule
    and the body it follows, the reason, trigger chips, missing report items, notes (those no
    pattern knows are counted in Japanese) and whether its deadlines are for reference only
    (not reportable, or cannot tell)."""
    limit = j.get("threshold")
    body = j.get("body") or {}
    arts = article(lang, body.get("articles") or "規則7条")
    chips = []
    for tr in j.get("triggers") or []:
        if isinstance(tr, dict):
            chips.append(_trigger(lang, str(tr.get("code")), tr.get("threshold", limit), tr.get("article")))
        else:
            chips.append(_trigger(lang, str(tr), limit))
    rep, at_risk = j.get("reportable"), j.get("personal_data_at_risk")
    duty = (j.get("duty") or {}).get("state")
    exemption = (j.get("exemption") or {}).get("code")
    body_name = label(lang, "body", body.get("kind")) if body.get("kind") else ""
    if duty == "none":
        reason = t(lang, "why_no_duty", body=body_name)
    elif duty == "not_yet":
        d = j.get("duty") or {}
        reason = t(lang, "why_not_yet", rule=article(lang, body.get("rule")), since=body.get("since") or "",
                   date=d.get("date") or "", today=_verdict_word(lang, (j.get("today") or {}).get("reportable")))
    elif rep is True:
        reason = t(lang, "why_yes", n=len(chips), articles=arts)
    elif exemption:
        reason = t(lang, f"why_exempt_{exemption}") if f"why_exempt_{exemption}" in UI else t(lang, "why_exempt")
    elif rep is False:
        if at_risk is False:
            reason = t(lang, "why_no_data")
        elif affected is not None and limit is not None and not chips:
            reason = t(lang, "why_no_count", n=_num(lang, affected), limit=_num(lang, limit), articles=arts)
        else:
            reason = t(lang, "why_no", articles=arts)
    elif at_risk is None:
        reason = t(lang, "why_unknown_data")
    elif affected is None and limit is not None:
        reason = t(lang, "why_unknown_count", limit=_num(lang, limit), articles=arts)
    else:
        reason = t(lang, "why_unknown")
    rule = None
    if body.get("kind"):
        if body.get("rule") in (None, "none"):
            rule = f"{t(lang, 'no_duty')} · {body_name}"
        else:
            rule = t(lang, "rule_line", rule=article(lang, body.get("rule")), articles=arts,
                     n=_num(lang, body.get("threshold") or limit), body=body_name)
        basis = VALUES["body_basis"].get(str(body.get("basis")))
        if basis:
            rule += " (" + _pick(lang, *basis) + ")"
    notes, hidden = [], 0
    for n in j.get("notes") or []:
        shown = _note(lang, str(n), limit)
        if shown is not None:
            notes.append(shown)
        elif lang == "en":  # a note of the judge this catalogue does not know yet: English only
            notes.append(str(n))
        else:
            hidden += 1
    missing = [label(lang, "report_item", k) for k, v in (j.get("notice_items") or {}).items()
               if isinstance(v, dict) and v.get("status") == "missing"]
    return {"reason": reason, "rule": rule, "rule_matched": body.get("matched"), "triggers": chips, "notes": notes, "hidden_notes": hidden,
            "missing": missing, "reference_only": rep is not True}


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


# link reasons (jikenbo/link.py writes them in English): Japanese for the web UI
_REASONS: list[tuple[str, str]] = [
    (r"same organisation \(group / prefecture form\)", "同じ組織（グループ・都道府県名つきの表記）"),
    (r"same organisation", "同じ組織"),
    (r"similar organisation name", "似た組織名"),
    (r"announced jointly with this organisation", "この組織と共同で公表"),
    (r"the two organisations name each other", "両組織が互いを名指し"),
    (r"cites the notice of (?P<a>\S+)", "{a} の公表を引用"),
    (r"same detection date (?P<a>\S+)", "同じ発覚日 {a}"),
    (r"same start date (?P<a>\S+)", "同じ発生日 {a}"),
    (r"same count (?P<a>\S+)", "同じ件数 {a}"),
    (r"announced on (?P<a>\S+) \(month-day\)", "同じ公表日 {a}（月日）"),
    (r"same third party (?P<a>.+)", "同じ委託先・サービス {a}"),
    (r"names the same system (?P<a>.+)", "同じシステム・サービス名 {a}"),
    (r"incident types overlap", "事案の種類が重なる"),
    (r"disclosed (?P<a>\d+) days apart", "公表日の差 {a} 日"),
    (r"detected (?P<a>\d+) days apart", "発覚日の差 {a} 日"),
    (r"notice is a (?P<k>\S+)", "{k}"),
    (r"a (?P<k>\S+) (?P<a>\d+) days later of another kind of incident", "{a} 日後の別種の事案（{k}）"),
    (r"(?P<k>\S+) (?P<a>\d+) days later", "{a} 日後の{k}"),
    (r"first notice of its incident", "この事案の最初の通知"),
    (r"other years \((?P<a>\d+) vs (?P<b>\d+)\)", "年が異なる（{a} と {b}）"),
    (r"(?P<x>.+), but nothing else agrees", "{x}だが、ほかに一致する事実がない"),
    (r"a second first report without shared facts", "共通の事実がない二つ目の第1報"),
    (r"other figures weeks apart", "数週間離れて異なる件数"),
    (r"other kinds of incident", "事案の種類が異なる"),
    (r"nothing but the name", "組織名のほかに根拠がない"),
    (r"linked by an analyst \(jikenbo link\)", "分析者がまとめた（jikenbo link）"),
    (r"kept on its own by an analyst \(jikenbo unlink\)", "分析者が切り離した（jikenbo unlink）"),
    (r"no organisation: an incident of its own", "組織不明のため単独の事案"),
    (r"same notice", "同じ通知"),
]


def reason(lang: str, text: str) -> str:
    """A link reason in ``lang`` (stored in English)."""
    import re

    if lang == "en" or not text:
        return text
    m = re.fullmatch(r"kept apart from the incident of (?P<x>[^:]+): (?P<why>.+)", text)
    if m:
        return f"{m['x']} の事案とは別: {reason(lang, m['why'])}"
    for pat, ja in _REASONS:
        m = re.fullmatch(pat, text)
        if m:
            kw = {k: (label(lang, "kind", v) if k == "k" else reason(lang, v) if k == "x" else v)
                  for k, v in m.groupdict().items()}
            return ja.format(**kw)
    return text
