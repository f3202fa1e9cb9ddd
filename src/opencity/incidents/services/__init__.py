"""Every state change of command support: typed functions with keyword-only arguments, each
in ``transaction.atomic``, asking ``opencity.policy`` who may, moving states through
``incidents.workflow`` (the lifecycle kernel)."""

from .board import (
    asset_add,
    asset_transition,
    deployment_request,
    deployment_transition,
    stock_add,
    stock_on_hand,
    task_create,
    task_transition,
    task_update,
)
from .incident import (
    incident_from_alert,
    incident_from_rescues,
    incident_link,
    incident_link_decide,
    incident_open,
    incident_propose,
    incident_transition,
    incident_update,
    period_add,
    roster_add,
    roster_remove,
)

__all__ = [
    "asset_add", "asset_transition", "deployment_request", "deployment_transition", "stock_add", "stock_on_hand",
    "task_create", "task_transition", "task_update",
    "incident_from_alert", "incident_from_rescues", "incident_link", "incident_link_decide", "incident_open",
    "incident_propose", "incident_transition", "incident_update", "period_add", "roster_add", "roster_remove",
]
