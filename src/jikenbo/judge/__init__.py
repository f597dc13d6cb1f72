"""judge: is a breach notice reportable under APPI (規則7条), which report and notice items it
holds (規則8条, 規則10条), its deadlines, its JNSA JO damage estimate, and its taxonomy terms.

Pure functions of a ``Record`` (and, optionally, the document text its offsets index) and the
data files under ``src/jikenbo/data/judge/``; the CLI, the web UI and the API call these.
"""

from jikenbo.judge.core import JudgeError, JudgeOptions, check_incident, check_record, incident_record

__all__ = ["JudgeError", "JudgeOptions", "check_incident", "check_record", "incident_record"]
