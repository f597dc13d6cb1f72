"""The incident in JNSA and 東京商工リサーチ cause categories and VERIS 1.4.1 terms."""

from __future__ import annotations

from jikenbo.judge import data


def classify(incident_types: list[str], leak_status: str, categories: list[str],
             affected_total: int | None) -> dict:
    cfg = data.taxonomy()
    rows = [cfg["types"][t] for t in incident_types if t in cfg["types"]] or [cfg["unknown"]]
    actions: dict[str, list[str]] = {}
    for row in rows:
        for action, variety in row["veris"]:
            actions.setdefault(action, [])
            if variety not in actions[action]:
                actions[action].append(variety)
    varieties = list(dict.fromkeys(cfg["data_variety"].get(c, "Personal") for c in categories))
    return {
        "jnsa": list(dict.fromkeys(c for r in rows for c in r["jnsa"])),
        "tsr": list(dict.fromkeys(c for r in rows for c in r["tsr"])),
        "veris": {
            "action": {a: {"variety": v} for a, v in actions.items()},
            "attribute": {"confidentiality": {
                "data_disclosure": cfg["disclosure"].get(leak_status, "Unknown"),
                "data_total": affected_total,  # None stays None: unknown is not 0
                "data": [{"variety": v} for v in varieties],
            }},
        },
    }
