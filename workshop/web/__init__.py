"""The participant page: a small Starlette app that ``workshop serve`` runs on uvicorn, one process per room.

``workshop.web.app`` is the app (a JSON API, Server-Sent Events for stage changes, and the page with its
style and scripts inlined); ``workshop.web.server`` runs it (``python -m workshop.web.server``); ``static/``
holds the page: HTML, CSS and plain JavaScript, no build step and nothing fetched from anywhere else. Every value is
validated by ``workshop.session``; this package only carries it there and back.
"""
