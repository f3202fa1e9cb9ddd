"""The national eID connector's two places on pages: the verification panel of the profile and the
"sign in with VNeID" button of the log-in page. Both render nothing while the connector is off."""

from __future__ import annotations

from django import template

from opencity.accounts.eid import enabled, provider_name

register = template.Library()


@register.inclusion_tag("accounts/_eid_panel.html", takes_context=True)
def eid_panel(context, user):
    return {"enabled": enabled(), "name": provider_name(), "profile_user": user,
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("accounts/_eid_login.html", takes_context=True)
def eid_login(context, next_url="/"):
    return {"enabled": enabled(), "name": provider_name(), "next": next_url,
            "csrf_token": context.get("csrf_token")}
