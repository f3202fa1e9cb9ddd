"""The state machines of command support, on the lifecycle kernel (``lib.lifecycle``).

- Incident: monitoring → active (response) → recovery → closed; closed may be reopened.
- Task (ICS 204): open → assigned → in progress → done, or cancelled.
- Team deployment: requested → assigned → standby → mobilised → in action → demobilised.
- Asset: available ⇄ in use, under repair, lost (and found).

Each ``apply`` checks the table, writes under the row's ``version`` (two commanders acting at
once: the second gets 409) and writes one immutable event, inside the caller's transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opencity.lib.lifecycle import Lifecycle, Transition

from .models import (
    Asset,
    AssetEvent,
    AssetStatus,
    Deployment,
    DeploymentEvent,
    DeploymentStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Task,
    TaskEvent,
    TaskStatus,
)

NEW = frozenset({""})


def _refusal(noun, statuses):
    def refusal(t: Transition, status: str) -> str:
        return _("“%(action)s” is not possible while the %(noun)s is “%(status)s”.") % {
            "action": t.label, "noun": noun, "status": statuses(status).label if status else "—"}
    return refusal


# --- incidents ----------------------------------------------------------------------------------

IS = IncidentStatus
INCIDENT_OPEN = frozenset({IS.MONITORING, IS.ACTIVE, IS.RECOVERY})
INCIDENT_ANY = frozenset(IS.values)

INCIDENT = Lifecycle(
    {
        "open": Transition(NEW, IS.MONITORING, _("Incident opened")),
        "open_active": Transition(NEW, IS.ACTIVE, _("Incident opened for response")),
        "activate": Transition(frozenset({IS.MONITORING, IS.RECOVERY}), IS.ACTIVE, _("Response started")),
        "recover": Transition(frozenset({IS.ACTIVE}), IS.RECOVERY, _("Recovery phase")),
        "close": Transition(INCIDENT_OPEN, IS.CLOSED, _("Incident closed"), stamp="ended_at"),
        "reopen": Transition(frozenset({IS.CLOSED}), IS.ACTIVE, _("Incident reopened")),
        "update": Transition(INCIDENT_OPEN, None, _("Incident details changed")),
        "link": Transition(INCIDENT_ANY, None, _("Linked")),
        "unlink": Transition(INCIDENT_ANY, None, _("Link removed")),
        "roster": Transition(INCIDENT_ANY, None, _("Command roster changed"), public=False),
        "period": Transition(INCIDENT_OPEN, None, _("Operational period set")),
        "note": Transition(INCIDENT_ANY, None, _("Log entry"), public=False),
    },
    IncidentEvent, "incident", _refusal(_("incident"), IncidentStatus),
    clean_exclude=("source_alert", "created_by"),
)

# --- tasks --------------------------------------------------------------------------------------

T = TaskStatus
TASK_OPEN = frozenset({T.OPEN, T.ASSIGNED, T.IN_PROGRESS})

TASK = Lifecycle(
    {
        "create": Transition(NEW, T.OPEN, _("Task created")),
        "assign": Transition(frozenset({T.OPEN, T.ASSIGNED}), T.ASSIGNED, _("Assigned to a team")),
        "start": Transition(frozenset({T.ASSIGNED}), T.IN_PROGRESS, _("Work started")),
        "done": Transition(frozenset({T.ASSIGNED, T.IN_PROGRESS}), T.DONE, _("Done")),
        "cancel": Transition(TASK_OPEN, T.CANCELLED, _("Cancelled")),
        "update": Transition(TASK_OPEN, None, _("Task changed")),
    },
    TaskEvent, "task", _refusal(_("task"), TaskStatus),
    clean_exclude=("incident", "period", "area", "deployment", "rescue", "created_by"),
)

# --- team deployments ---------------------------------------------------------------------------

D = DeploymentStatus
DEPLOYED = frozenset({D.REQUESTED, D.ASSIGNED, D.STANDBY, D.MOBILIZED, D.IN_ACTION})

DEPLOYMENT = Lifecycle(
    {
        "request": Transition(NEW, D.REQUESTED, _("Team requested")),
        "assign": Transition(frozenset({D.REQUESTED}), D.ASSIGNED, _("Team assigned to the incident")),
        "standby": Transition(frozenset({D.ASSIGNED, D.MOBILIZED, D.IN_ACTION}), D.STANDBY, _("On standby")),
        "mobilize": Transition(frozenset({D.ASSIGNED, D.STANDBY}), D.MOBILIZED, _("Mobilised"),
                               stamp="mobilized_at"),
        "act": Transition(frozenset({D.MOBILIZED}), D.IN_ACTION, _("In action")),
        "demobilize": Transition(DEPLOYED, D.DEMOBILIZED, _("Demobilised"), stamp="demobilized_at"),
    },
    DeploymentEvent, "deployment", _refusal(_("team"), DeploymentStatus),
    clean_exclude=("incident", "team", "area"),
)

# The order a team's status moves through, for showing the chain.
DEPLOYMENT_CHAIN = (D.REQUESTED, D.ASSIGNED, D.STANDBY, D.MOBILIZED, D.IN_ACTION, D.DEMOBILIZED)

# --- assets -------------------------------------------------------------------------------------

A = AssetStatus

ASSET = Lifecycle(
    {
        "assign": Transition(frozenset({A.AVAILABLE}), A.ASSIGNED, _("Assigned")),
        "return": Transition(frozenset({A.ASSIGNED}), A.AVAILABLE, _("Returned")),
        "repair": Transition(frozenset({A.AVAILABLE, A.ASSIGNED}), A.REPAIR, _("Sent for repair")),
        "repaired": Transition(frozenset({A.REPAIR}), A.AVAILABLE, _("Repaired")),
        "lose": Transition(frozenset({A.AVAILABLE, A.ASSIGNED, A.REPAIR}), A.LOST, _("Reported lost")),
        "found": Transition(frozenset({A.LOST}), A.AVAILABLE, _("Found")),
    },
    AssetEvent, "asset", _refusal(_("asset"), AssetStatus),
    clean_exclude=("unit", "incident", "deployment"),
)

LIFECYCLES: dict[type, Lifecycle] = {Incident: INCIDENT, Task: TASK, Deployment: DEPLOYMENT, Asset: ASSET}


# Steps of shelters, published to the console feed by the shelters' services.
OTHER_LABELS = {"shelter_open": _("Shelter opened"), "shelter_close": _("Shelter closed")}


def event_label(action: str) -> str:
    """What an ``incident.<action>`` happening of the console feed says, in the page's language:
    the incident's own steps, its tasks' (``task_<step>``) and its teams' (``team_<step>``)."""
    if action.startswith("task_"):
        return _("Task: %(step)s") % {"step": TASK.label(action[5:])}
    if action.startswith("team_"):
        return _("Team: %(step)s") % {"step": DEPLOYMENT.label(action[5:])}
    if action in OTHER_LABELS:
        return str(OTHER_LABELS[action])
    return INCIDENT.label(action)
