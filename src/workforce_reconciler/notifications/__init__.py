"""What to tell people about a run, and when: pure, no I/O and no clock.

``adapters/sns.py`` reads the open conditions from the state store, calls
``messages_for`` and publishes what it returns. Two modules, one concern each:

* ``conditions.py``: which conditions a report raises (``EventType``, ``CONDITIONS``,
  ``raised_by``), their fingerprints, and the state machine over the stored
  ``ConditionRecord``s (``decide``): notify a condition once, remind at most once per
  reminder interval, resolve it once it clears. Data in, data out, no words.
* ``messages.py``: the words. Subjects (``fit_subject``: ASCII, one line, at most
  ``SUBJECT_MAX`` characters), the email text, the JSON form and the SNS attributes of
  every message, Resolved and DriftCorrected included; and ``messages_for``, which
  raises, decides and words in one call.

Everything public of either module is importable from here.
"""

from __future__ import annotations

from workforce_reconciler.notifications.conditions import (
    CONDITIONS,
    DOCUMENT_CONDITIONS,
    Condition,
    Decision,
    Decisions,
    EventType,
    Notice,
    Raised,
    decide,
    fingerprint,
    raised_by,
    workforce_name,
)
from workforce_reconciler.notifications.messages import (
    JSON_VERSION,
    SUBJECT_MAX,
    SUBJECT_PREFIX,
    Message,
    first_subject,
    fit_subject,
    messages_for,
)

__all__ = [
    "CONDITIONS",
    "DOCUMENT_CONDITIONS",
    "JSON_VERSION",
    "SUBJECT_MAX",
    "SUBJECT_PREFIX",
    "Condition",
    "Decision",
    "Decisions",
    "EventType",
    "Message",
    "Notice",
    "Raised",
    "decide",
    "fingerprint",
    "first_subject",
    "fit_subject",
    "messages_for",
    "raised_by",
    "workforce_name",
]
