"""Visit history: planned visits and their outcomes, in SQLite or any SQLAlchemy database.

- :mod:`.store` opens (creating and migrating) the database, imports
  outcomes idempotently and records plans;
- :mod:`.apply` turns the history into today's facts: visits counted for
  cool-downs and caps, promises due or broken, not-home streaks, continuity.
"""

from .apply import apply_history
from .store import OUTCOMES, HistoryStore, ImportReport

__all__ = ["OUTCOMES", "HistoryStore", "ImportReport", "apply_history"]
