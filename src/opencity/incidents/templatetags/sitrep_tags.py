"""The situation reports' part of the incident page (its view is the lead's ``views.py``)."""

from django import template

from opencity import policy

from ..models import Counter
from ..selectors_sitreps import sitrep_list, sitrep_totals

register = template.Library()

# The figures the incident page shows of the latest report (the rest are on the report's page).
HEADLINE = (Counter.DEAD, Counter.MISSING, Counter.INJURED, Counter.EVACUATED_PEOPLE,
            Counter.HOUSES_FLOODED, Counter.PEOPLE_IN_SHELTERS)


@register.simple_tag
def sitrep_part(incident, user) -> dict:
    reports = list(sitrep_list(incident)[:8])
    latest = reports[0] if reports else None
    whole = policy.can_read_city_sitrep(user, incident)
    commands = policy.can_command_incident(user, incident)
    totals = []
    if latest is not None and whole:
        sums = sitrep_totals(latest)
        labels = dict(Counter.choices)
        totals = [(labels[c], sums[c]) for c in HEADLINE]
    return {
        "latest": latest, "earlier": reports[1:], "whole": whole, "totals": totals,
        "can_start": commands and incident.is_open and (latest is None or latest.is_signed),
        "next": (latest.number + 1) if latest else 1,
        "edits": policy.can_edit_any_ward(user, incident),
    }
