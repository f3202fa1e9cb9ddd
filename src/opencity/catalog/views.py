"""The home of services, a service's page, the counting redirect, favourites, and the news.

Views parse, call a selector or a service, render. Favourites are a small POST that works
without JavaScript (the page comes back) and with htmx (only the star comes back).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from opencity.lib.paging import page_query

from . import selectors, services

NEWS_PAGE_SIZE = 12


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def service_home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    user = request.user
    context = {"q": q, "favourite_codes": selectors.favourite_codes(user=user)}
    if q:  # search: one list, the best first
        context["results"] = selectors.service_search(user=user, q=q)
    else:
        context["groups"] = selectors.service_groups(user=user)
    if _is_htmx(request) and request.headers.get("HX-Target") == "service-results":
        return render(request, "catalog/partials/results.html", context)
    if not q:
        context.update(favourites=selectors.favourite_list(user=user), recent=selectors.recent_list(user=user))
    return render(request, "catalog/home.html", context)


@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get(user=request.user, code=code)
    return render(request, "catalog/service.html", {
        "service": service, "favourite_codes": selectors.favourite_codes(user=request.user),
    })


@require_GET
def service_open(request: HttpRequest, code: str) -> HttpResponse:
    """Count the opening, then go: our page, or the external service in the same tab."""
    service = selectors.service_get(user=request.user, code=code)
    target = services.service_open(service=service, user=request.user)
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer"  # an external service learns nothing of our pages
    return response


def _back(request: HttpRequest, service) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return reverse("catalog:home")


@require_POST
def favourite(request: HttpRequest, code: str) -> HttpResponse:
    """Star (``favourite=1``) or unstar (``favourite=0``) a service, for oneself only."""
    if not request.user.is_authenticated:
        # The POST cannot be replayed after signing in: come back to the service's page.
        return redirect_to_login(reverse("catalog:service", args=[code]))
    service = selectors.service_get(user=request.user, code=code)
    if request.POST.get("favourite") == "0":
        services.favourite_remove(user=request.user, service=service)
    else:
        services.favourite_add(user=request.user, service=service)
    if _is_htmx(request):
        return render(request, "catalog/partials/star.html", {
            "service": service, "favourite_codes": selectors.favourite_codes(user=request.user),
            "next": request.POST.get("next", ""),
        })
    return redirect(_back(request, service))


@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")[:40]
    page = Paginator(selectors.news_list(user=request.user, category=category), NEWS_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "catalog/news_list.html", {
        "page": page, "category": category, "categories": selectors.news_categories(user=request.user),
        "prev_query": page_query(request.GET, page.previous_page_number()) if page.has_previous() else "",
        "next_query": page_query(request.GET, page.next_page_number()) if page.has_next() else "",
    })


@require_GET
def news_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    item = selectors.news_get(user=request.user, pk=pk)
    if slug != item.slug:
        return redirect(item.get_absolute_url(), permanent=True)
    return render(request, "catalog/news_detail.html", {"item": item})
