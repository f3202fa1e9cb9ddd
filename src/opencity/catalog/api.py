"""``/api/v1/services`` and ``/api/v1/news`` for the mobile client: the catalogue (grouped, with
search), a person's favourites, and the city's news. Reads are public; favourites need a
signed-in person (token or session)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from opencity.lib.api import (
    NOT_MODIFIED,
    OPTIONAL_AUTH,
    OPTIONAL_AUTH_OPENAPI,
    CursorParam,
    Page,
    conditional,
    errors,
    paginate,
)

from . import selectors, services
from .models import NewsItem, Service

services_router = Router(tags=["services"])
news_router = Router(tags=["news"], auth=OPTIONAL_AUTH)


class ServiceOut(Schema):
    code: str
    name: str = Field(..., description="In the language of `Accept-Language` (Vietnamese when not translated).")
    description: str
    group: str
    kind: str = Field(..., description="`internal` (a page of this app) or `external` (another system).")
    icon: str = Field(..., description="A Lucide icon name (lucide.dev/icons).")
    audience: str = Field(..., description="`everyone`, `citizens`, `businesses` or `visitors`.")
    open_url: str = Field(..., description="Open the service through this address: it counts the opening and "
                                           "redirects (302) to the page or the external service.")
    page_url: str = Field(..., description="The service's page in the web app.")
    sso_client_id: str = Field(..., description="For an external service signing in with the city's account: the "
                                                "client id at the city's identity provider; empty otherwise.")
    favourite: bool = Field(..., description="Whether it is a favourite of the person asking (false for visitors).")


class GroupOut(Schema):
    id: int
    name: str
    icon: str
    services: list[ServiceOut]


class ServicesOut(Schema):
    groups: list[GroupOut]


class ServiceQuery(Schema):
    q: str = Field("", max_length=100, description="Words to look for, with or without diacritics, any case "
                                                   "(`dien nuoc` finds Điện lực and Cấp nước).")


def _service_out(request: HttpRequest, s: Service, favourites: set[str]) -> dict:
    return {"code": s.code, "name": s.display_name, "description": s.description, "group": s.group.display_name,
            "kind": s.kind, "icon": s.icon, "audience": s.audience,
            "open_url": request.build_absolute_uri(reverse("catalog:open", args=[s.code])),
            "page_url": request.build_absolute_uri(s.get_absolute_url()),
            "sso_client_id": s.client_id, "favourite": s.code in favourites}


@services_router.get(
    "",
    auth=OPTIONAL_AUTH,
    response={200: ServicesOut, **NOT_MODIFIED, **errors(400, 401, 422)},
    summary="The service catalogue, grouped",
    description=(
        "The active services of the super app by group, in the catalogue's order: the city's own modules "
        "(reports, warnings, SOS, shelters, water levels…) and external services (the public-services portal, "
        "electricity, water, hospitals…). With `q`, only the services matching every word (or, if none does, "
        "any word, the best first), without regard to case or diacritics. Public; a signed-in person also "
        "learns which are their favourites. With a weak `ETag`."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def service_list(request: HttpRequest, response: HttpResponse, query: Query[ServiceQuery]):
    favourites = selectors.favourite_codes(user=request.user)
    groups = [{"id": g.group.pk, "name": g.group.display_name, "icon": g.group.icon,
               "services": [_service_out(request, s, favourites) for s in g.services]}
              for g in selectors.service_groups(user=request.user, q=query.q)]
    return conditional(request, response, {"groups": groups})


@services_router.get(
    "/favourites",
    response={200: list[ServiceOut], **errors(401)},
    summary="My favourite services",
    description="The signed-in person's favourite services, in their order (inactive services left out).",
)
def favourite_list(request: HttpRequest):
    favourites = selectors.favourite_codes(user=request.user)
    return [_service_out(request, s, favourites) for s in selectors.favourite_list(user=request.user)]


@services_router.put(
    "/favourites/{code}",
    response={200: ServiceOut, **errors(401, 404)},
    summary="Add a favourite",
    description="Star a service (again: nothing changes). It goes last among the favourites. An unknown or "
                "inactive service is a 404.",
)
def favourite_add(request: HttpRequest, code: str):
    service = selectors.service_get(user=request.user, code=code)
    services.favourite_add(user=request.user, service=service)
    return _service_out(request, service, {service.code})


@services_router.delete(
    "/favourites/{code}",
    response={204: None, **errors(401, 404)},
    summary="Remove a favourite",
    description="Unstar a service of one's own favourites (not a favourite: still a 204). Unknown: 404.",
)
def favourite_remove(request: HttpRequest, code: str):
    service = selectors.service_get(user=request.user, code=code)
    services.favourite_remove(user=request.user, service=service)
    return Status(204, None)


@services_router.get(
    "/{code}",
    auth=OPTIONAL_AUTH,
    response={200: ServiceOut, **NOT_MODIFIED, **errors(401, 404)},
    summary="One service",
    description="An active service by its code; unknown or inactive: 404. Public.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def service_get(request: HttpRequest, response: HttpResponse, code: str):
    service = selectors.service_get(user=request.user, code=code)
    return conditional(request, response,
                       _service_out(request, service, selectors.favourite_codes(user=request.user)))


class NewsCategoryOut(Schema):
    code: str
    name: str


class NewsOut(Schema):
    id: int
    title: str
    summary: str
    category: NewsCategoryOut
    important: bool
    published_at: dt.datetime
    image_url: str | None = Field(None, description="The picture, if any (absolute address).")
    url: str = Field(..., description="The item's page in the web app.")


class NewsDetailOut(NewsOut):
    body: str = Field(..., description="Plain text: paragraphs separated by an empty line, list items starting "
                                       "with `- `. Never HTML (show it as text).")


class NewsListOut(Page):
    items: list[NewsOut]


class NewsQuery(Schema):
    category: str | None = Field(None, max_length=40, description="A category's code.")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = CursorParam


def _news_out(request: HttpRequest, item: NewsItem) -> dict:
    return {"id": item.pk, "title": item.title, "summary": item.summary,
            "category": {"code": item.category.code, "name": item.category.display_name},
            "important": item.important, "published_at": item.published_at,
            "image_url": request.build_absolute_uri(item.image.url) if item.image else None,
            "url": request.build_absolute_uri(item.get_absolute_url())}


@news_router.get(
    "",
    response={200: NewsListOut, **NOT_MODIFIED, **errors(400, 401, 422)},
    summary="News and notices, newest first",
    description="The city's published news (tin tức, thông báo); drafts are never listed. Public. "
                "`category` filters by a category's code.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def news_list(request: HttpRequest, response: HttpResponse, query: Query[NewsQuery]):
    qs = selectors.news_list(user=request.user, category=query.category)
    body = paginate(request, qs, limit=query.limit, cursor=query.cursor, item=lambda n: _news_out(request, n))
    return conditional(request, response, body)


@news_router.get(
    "/{int:news_id}",
    response={200: NewsDetailOut, **NOT_MODIFIED, **errors(401, 404)},
    summary="One news item",
    description="A published item with its text; a draft or an unknown id is a 404. Public.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def news_get(request: HttpRequest, response: HttpResponse, news_id: int):
    item = selectors.news_get(user=request.user, pk=news_id)
    return conditional(request, response, {**_news_out(request, item), "body": item.body})
