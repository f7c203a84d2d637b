"""The end screen's "Ce que vous avez fait": counts from the session's activity log.

Asked at the end of the session, before the wipe. Nothing is said to someone who never
signed in; an assisted session has its own, fuller list (who did what), shown instead.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.flows.summary import render_summary, summary_lines
from kiosk.ui.flow_context import assisted_session
from kiosk.ui.look import look


def activity_summary(app: Any, session: Any) -> list[str]:
    if PATIENT_SESSION not in session.data and not session.activity_log.counts:
        return []
    assisted = assisted_session(app)
    if assisted is not None and assisted.consent_was_given:
        return []
    catalog = look().catalog
    return [catalog.tr("ui.end.summary_heading"), *render_summary(summary_lines(session.activity_log), catalog)]
