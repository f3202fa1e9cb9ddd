"""``{% shelters_part incident user as part %}``: what the incident page's shelters part shows
this person (the incident's open shelters in the wards they see, what they may open, whether
they may send the notice to shelter managers)."""

from __future__ import annotations

from django import template

from opencity import policy

from .. import selectors_shelters as selectors
from ..forms_shelters import NoticeForm

register = template.Library()


@register.simple_tag
def shelters_part(incident, user) -> dict:
    shelters = selectors.incident_shelters(incident, user=user)
    edits = policy.can_edit_any_ward(user, incident)
    for s in shelters:
        s.managed = policy.can_manage_shelter(user, s)
    return {
        "shelters": shelters,
        "people": sum(s.occupancy for s in shelters),
        "free": sum(s.free for s in shelters),
        "to_open": selectors.shelters_to_open(incident, user=user) if edits and incident.is_open else [],
        "can_notice": edits and bool(shelters),
        "notice_form": NoticeForm() if edits and shelters else None,
    }
