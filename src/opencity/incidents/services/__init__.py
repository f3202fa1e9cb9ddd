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
from .shelters import (
    shelter_check_in,
    shelter_check_out,
    shelter_close,
    shelter_notice,
    shelter_open,
)
from .sitreps import (
    StaleCount,
    parse_count,
    sitrep_fill_from_system,
    sitrep_set_count,
    sitrep_sign,
    sitrep_start,
    sitrep_update,
    system_figures,
)

__all__ = [
    "asset_add", "asset_transition", "deployment_request", "deployment_transition", "stock_add", "stock_on_hand",
    "task_create", "task_transition", "task_update",
    "incident_from_alert", "incident_from_rescues", "incident_link", "incident_link_decide", "incident_open",
    "incident_propose", "incident_transition", "incident_update", "period_add", "roster_add", "roster_remove",
    "shelter_check_in", "shelter_check_out", "shelter_close", "shelter_notice", "shelter_open",
    "StaleCount", "parse_count", "sitrep_fill_from_system", "sitrep_set_count", "sitrep_sign", "sitrep_start",
    "sitrep_update", "system_figures",
]
