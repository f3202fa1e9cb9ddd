"""Every state change of a field report. See the submodules; all are re-exported here."""

from .citizen import (
    report_answer_info,
    report_dispute,
    report_follow,
    report_rate,
    report_unfollow,
)
from .deadlines import deadlines_escalate
from .submit import report_submit, validate_answers
from .triage import (
    photo_moderate,
    report_correct,
    report_decide_dispute,
    report_merge,
    report_moderate_text,
    report_reject,
    report_route,
    report_set_priority,
)
from .unit import (
    report_accept,
    report_add_note,
    report_ask_info,
    report_close_expired,
    report_decide_extension,
    report_decide_result,
    report_request_extension,
    report_resolve,
    report_return,
)

__all__ = [
    "deadlines_escalate",
    "photo_moderate",
    "report_accept",
    "report_add_note",
    "report_answer_info",
    "report_ask_info",
    "report_close_expired",
    "report_correct",
    "report_decide_dispute",
    "report_decide_extension",
    "report_decide_result",
    "report_dispute",
    "report_follow",
    "report_merge",
    "report_moderate_text",
    "report_rate",
    "report_reject",
    "report_request_extension",
    "report_resolve",
    "report_return",
    "report_route",
    "report_set_priority",
    "report_submit",
    "report_unfollow",
    "validate_answers",
]
