"""judge: is a breach notice reportable under APPI (規則7条), which report and notice items it
holds (規則8条, 規則10条), its deadlines, its JNSA JO damage estimate, and its taxonomy terms.

Pure functions of a ``Record`` (and, optionally, the document text its offsets index) and the
data files under ``src/jikenbo/data/judge/``; the CLI, the web UI and the API call these::

    check_record(record, *, document_text=None, options=JudgeOptions()) -> dict
    check_incident(incident, records, *, document_texts=None, options=JudgeOptions()) -> dict

Result (JSON-able): ``kind`` ("notice" | "incident"), ``source`` or ``id``, ``organization``,
``title``, ``disclosure_date``, ``body`` ({kind, label, rule, articles, threshold, since, why,
matched, name, basis}: the body kind of data/judge/bodies.toml and why the organisation is one),
``rule`` ("法26条" | "法68条" | "none"), ``public_body`` (rule is 法68条), ``threshold`` (1000,
100, or None without a duty), ``duty`` ({state: in_force | not_yet | none, date, date_from,
since}), ``reportable`` (True / False / None = cannot tell), ``reason``, ``today`` (for a case
from before the duty began: {reportable, triggers, reason} under today's law, else None),
``triggers`` ([{code: sensitive | financial | malicious | over_threshold, article (規則7条N号 or
規則43条N号), label, evidence: [span]}]), ``exemption`` ({code: encrypted | recovered, label,
evidence} or None), ``personal_data_at_risk``, ``encryption`` ({stated, evidence, key_lost, strong}),
``recovered`` ({stated, evidence}), ``told_ppc``, ``notes``, ``report_items`` and
``notice_items`` ({item: {number, label, status: present | missing, evidence}}; items: summary,
data_items, people, cause, secondary_damage, response_to_individuals, publication, prevention,
other), ``deadlines`` ({detected, detected_precision, sokuho: {from, to, reported, met},
kakuho: {due, days, reported, met}, reported_ppc, disclosures: [{date, lag_days, before_sokuho,
before_kakuho, ...}], disclosure_lag_days}), ``damage`` ({x, y, sensitivity, identifiability,
social_responsibility, response, base, levels, people, per_person, total}), ``taxonomy``
({jnsa, tsr, veris}); an incident adds ``notices`` (one line per notice).

A span is {source, start, end, text} (offsets into that source's Document.text) plus ``field``
and ``value`` when it comes from the record, ``kind`` ("heading" | "text") when from the text;
evidence without offsets ({source, field, value}) means the record holds the value but no span.
"""

from jikenbo.judge.core import JudgeError, JudgeOptions, check_incident, check_record, incident_record

__all__ = ["JudgeError", "JudgeOptions", "check_incident", "check_record", "incident_record"]
