"""``{% page_url page.next_page_number %}``: the link to another page of the list being shown,
keeping every filter of the request (``opencity.lib.paging``)."""

from __future__ import annotations

from django import template
from django.http import QueryDict

from opencity.lib.paging import page_query

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    request = context.get("request")
    params = request.GET if request is not None else QueryDict()
    return page_query(params, number)
