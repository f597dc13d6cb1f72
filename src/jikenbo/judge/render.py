"""A readable Rich rendering of check results (Japanese item names)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_YES_NO = {True: ("要報告 (yes)", "bold red"), False: ("報告不要 (no)", "green"),
           None: ("判断できない (cannot tell)", "yellow")}
_MET = {True: "期限内", False: "期限超過", None: "不明"}


def _ev(evidence: list[dict], limit: int = 2, width: int = 60) -> str:
    parts: list[str] = []
    seen: set[tuple] = set()
    unique = []
    for e in evidence:
        key = (e.get("source"), e.get("start"), e.get("end")) if "start" in e else (e.get("field"), e.get("value"))
        if key not in seen:
            seen.add(key)
            unique.append(e)
    evidence = unique
    for e in evidence[:limit]:
        if "text" in e:
            t = " ".join(e["text"].split())
            parts.append(f"「{t[:width]}{'…' if len(t) > width else ''}」@{e['start']}")
        else:
            parts.append(f"{e.get('field')}={e.get('value')}")
    more = len(evidence) - limit
    return " ".join(parts) + (f" (+{more})" if more > 0 else "")


def rule_line(result: dict) -> str:
    """「適用: 法26条 (規則7条, 1,000人超) 個人情報取扱事業者」 and the duty's state."""
    b = result.get("body") or {}
    if not b:
        return ""
    if b["rule"] == "none":
        return f"適用: 報告義務なし ({b['label']})"
    line = f"適用: {b['rule']} ({b['articles']}, 本人の数 {b['threshold']:,} 人超) {b['label']}"
    d = result.get("duty") or {}
    if d.get("state") == "not_yet":
        line += f"  [{b['since']} 施行前の事案: {d.get('date')}]"
    return line


def _yen(v: int | None) -> str:
    return "不明" if v is None else f"{v:,} 円"


def render_one(result: dict) -> Panel:
    label, style = _YES_NO[result["reportable"]]
    head = Text()
    head.append("個人情報保護委員会への報告: ", style="bold")
    head.append(label, style=style)
    head.append(f"\n理由: {result['reason']}")
    head.append("\n" + rule_line(result))
    b = result.get("body") or {}
    if b.get("why"):
        head.append(f"\n  なぜ: {b['why']}", style="dim")
    today = result.get("today")
    if today:
        label_today = _YES_NO[today["reportable"]][0]
        head.append(f"\n現行法なら: {label_today} ({today['reason']})")
    ex = result.get("exemption")
    if ex:
        head.append(f"\n適用除外: {ex['label']} {_ev(ex.get('evidence') or [], 1)}")
    if result.get("told_ppc"):
        head.append("\n通知文によれば個人情報保護委員会へ報告済み")
    for n in result.get("notes", []):
        head.append(f"\n注: {n}", style="dim")

    arts = (result.get("body") or {}).get("articles") or "規則7条"
    trig = Table(title=f"{'規則7条' if arts == '-' else arts}の該当事由", show_lines=False, expand=True)
    trig.add_column("号")
    trig.add_column("事由")
    trig.add_column("根拠")
    for t in result["triggers"]:
        trig.add_row(t["article"], t["label"], _ev(t["evidence"]))
    if not result["triggers"]:
        trig.add_row("-", "なし", "")

    items = Table(title="報告事項 (規則8条) / 本人通知 (規則10条)", expand=True)
    items.add_column("#")
    items.add_column("項目")
    items.add_column("状態")
    items.add_column("本人通知")
    items.add_column("根拠")
    notice_keys = set(result["notice_items"])
    for key, it in result["report_items"].items():
        ok = it["status"] == "present"
        items.add_row(str(it["number"]), it["label"],
                      Text("記載あり" if ok else "記載なし", style="green" if ok else "red"),
                      "要" if key in notice_keys else "", _ev(it["evidence"], 1, 40))

    dl = result["deadlines"]
    dlt = Table(title="期限 (発覚日から)", expand=True)
    dlt.add_column("")
    dlt.add_column("期限")
    dlt.add_column("実績")
    dlt.add_row("発覚日", dl["detected"] or "不明",
                "" if dl["detected_precision"] in ("day", "unknown") else f"精度: {dl['detected_precision']}")
    s, k = dl["sokuho"], dl["kakuho"]
    dlt.add_row("速報 (3〜5日)", f"{s['from']} 〜 {s['to']}" if s["to"] else "不明",
                f"{s['reported'] or '報告日不明'} ({_MET[s['met']]})")
    dlt.add_row(f"確報 ({k['days']}日)", k["due"] or "不明",
                f"{k['reported'] or '報告日不明'} ({_MET[k['met']]})")
    for n in dl["disclosures"]:
        lag = f"{n['lag_days']} 日後" if n["lag_days"] is not None else "経過日数不明"
        when = {True: "確報期限前", False: "確報期限後", None: ""}[n["before_kakuho"]]
        dlt.add_row("公表", n.get("date") or "不明", f"{lag} {when}".strip())

    d = result["damage"]
    dmg = Table(title="想定損害賠償額 (JNSA JO モデル)", expand=True, show_header=False)
    dmg.add_column("要素")
    dmg.add_column("値")

    def _v(v: object) -> str:
        return "-" if v is None else str(v)

    dmg.add_row("基礎情報価値", f"{d['base']} 円")
    dmg.add_row("機微情報度 (x 精神, y 経済)",
                f"{_v(d['sensitivity'])}  (x={_v(d['x'])}, y={_v(d['y'])}: 10^(x-1) + 5^(y-1))")
    dmg.add_row("本人特定容易度", _v(d["identifiability"]))
    dmg.add_row("社会的責任度 / 事後対応評価", f"{d['social_responsibility']} / {d['response']}")
    dmg.add_row("1人あたり", _yen(d["per_person"]))
    dmg.add_row("人数", "不明" if d["people"] is None else f"{d['people']:,} 人")
    dmg.add_row("合計", _yen(d["total"]) + (f"  ({d['note']})" if d.get("note") else ""))

    tx = result["taxonomy"]
    actions = ", ".join(f"{a} ({'/'.join(v['variety'])})" for a, v in tx["veris"]["action"].items())
    tax = Text(f"JNSA: {'、'.join(tx['jnsa'])}   東京商工リサーチ: {'、'.join(tx['tsr'])}\nVERIS: {actions}; "
               f"data_disclosure={tx['veris']['attribute']['confidentiality']['data_disclosure']}")

    title = result.get("organization") or "(組織名不明)"
    sub = result.get("id") or result.get("source") or ""
    return Panel(Group(head, trig, items, dlt, dmg, tax), title=Text(f"{title}  [{sub}]"), title_align="left")


def render(results: list[dict], console: Console | None = None) -> None:
    console = console or Console(markup=False)  # notice text may hold [brackets]
    for r in results:
        console.print(render_one(r))
