"""JNSA JO model (想定損害賠償額), JAPAN.md §3.

    per person = 500 × 機微情報度 × 本人特定容易度 × 社会的責任度 × 事後対応評価
    機微情報度 = 10^(x-1) + 5^(y-1)
"""

from __future__ import annotations

from jikenbo.judge import data


def sensitivity(x: int, y: int) -> int:
    return 10 ** (x - 1) + 5 ** (y - 1)


def identifiability(categories: set[str]) -> int:
    """6: name and address; 3: name, or address and phone; 1: otherwise."""
    if {"name", "address"} <= categories:
        return 6
    if "name" in categories or {"address", "phone"} <= categories:
        return 3
    return 1


def levels(categories: list[str], *, sensitive: bool, payment_card: bool,
           health_texts: list[str]) -> list[dict]:
    """Simple-EP (x, y) of each data category; ``health_texts``: evidence that may name 病状 etc."""
    cfg = data.simple_ep()
    table = cfg["categories"]
    default = [cfg["default"]["x"], cfg["default"]["y"]]
    cats = list(dict.fromkeys(categories))
    if payment_card and "credit_card" not in cats:
        cats.append("credit_card")
    out = []
    for c in cats:
        x, y = table.get(c, default)
        item = {"category": c, "x": x, "y": y}
        if c == "health":
            up = cfg["health_upgrade"]
            cues = [cue for cue in up["cues"] if any(cue in t for t in health_texts)]
            if cues:
                item["x"], item["y"] = up["level"]
                item["because"] = cues
        out.append(item)
    if sensitive and "health" not in cats:
        sd = cfg["sensitive_default"]
        out.append({"category": "sensitive", "x": sd["x"], "y": sd["y"],
                    "because": ["要配慮個人情報 of unstated kind"]})
    return out


def estimate(categories: list[str], people: int | None, *, sensitive: bool = False,
             payment_card: bool = False, health_texts: list[str] | None = None,
             social_responsibility: int = 1, response: int = 1) -> dict:
    """Per person and total (yen) with every factor; total is None when the count is unknown."""
    base = int(data.rules()["damage"]["base"])
    lv = levels(categories, sensitive=sensitive, payment_card=payment_card,
                health_texts=health_texts or [])
    out: dict = {"model": "JNSA JO", "base": base, "levels": lv,
                 "social_responsibility": social_responsibility, "response": response,
                 "people": people}
    if not lv:
        out.update(x=None, y=None, sensitivity=None, identifiability=None, per_person=None, total=None,
                   note="no data categories: the damage cannot be estimated")
        return out
    x = max(i["x"] for i in lv)
    y = max(i["y"] for i in lv)
    sens = sensitivity(x, y)
    ident = identifiability(set(categories))
    per_person = base * sens * ident * social_responsibility * response
    out.update(x=x, y=y, sensitivity=sens, identifiability=ident, per_person=per_person,
               total=per_person * people if people is not None else None)
    if people is None:
        out["note"] = "number of people unknown: no total"
    return out
