"""The national eID connector's two places on pages: the verification panel of the profile and the
"sign in with VNeID" button of the log-in page. Both render nothing while the connector is off."""

from __future__ import annotations

from django import template

from opencity.accounts.eid import enabled, get_adapter, provider_name

register = template.Library()


def _allow_the_platform(context) -> bool:
    """Whether the connector is on; if so, let this page's form lead to the platform
    (``lib/csp.py`` reads ``request.csp_form_action``)."""
    if not enabled():
        return False
    request = context.get("request")
    if request is not None:
        request.csp_form_action = sorted({*getattr(request, "csp_form_action", ()), *get_adapter().form_origins()})
    return True


@register.inclusion_tag("accounts/_eid_panel.html", takes_context=True)
def eid_panel(context, user):
    return {"enabled": _allow_the_platform(context), "name": provider_name(), "profile_user": user,
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("accounts/_eid_login.html", takes_context=True)
def eid_login(context, next_url="/"):
    return {"enabled": _allow_the_platform(context), "name": provider_name(), "next": next_url,
            "csrf_token": context.get("csrf_token")}
