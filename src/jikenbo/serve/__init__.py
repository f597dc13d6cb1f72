"""serve: the web UI and JSON API over the incident store (FastAPI + Jinja2).

>>> from jikenbo.serve import create_app
>>> app = create_app("incidents.db")          # uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from jikenbo.serve.app import create_app

__all__ = ["create_app"]
