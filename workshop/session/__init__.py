"""The live session: a package (the old ``workshop/session.py`` moved to ``store.py`` first, then split)."""
from workshop.session.store import *  # noqa: F401,F403  (replaced by explicit re-exports in the split)
