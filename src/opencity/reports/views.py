"""Citizen and public pages for field reports. Views parse, call a selector or service, render."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import DomainError, error_response, set_retry_after
from opencity.errors import ValidationError as DomainValidationError
from opencity.geo import geocode
from opencity.geo import selectors as geo
from opencity.lib import formreply, staging
from opencity.lib.filing import caller_filing
from opencity.lib.images import probe_gps
from opencity.lib.pagecache import visitor_cache
from opencity.lib.params import parse_coordinate, parse_id, safe_next
from opencity.lib.uploads import upload_policy

from . import limits, refdata, selectors, services
from .forms import RateForm, ReportForm
from .models import Category, Photo, Report, Status
from .permissions import access_report, available_actions, can_view_internal, can_view_reporter
from .services import submit as submit_service

PAGE_SIZE = 20
# Photos: the viewer's browser only, a few minutes, then revalidated (``photo_file``).
PHOTO_CACHE_CONTROL = "private, max-age=300"


def _filters(request: HttpRequest) -> dict:
    keys = ("category", "area", "status", "period", "q", "unit", "overdue")
    f = {k: request.GET.get(k, "").strip() for k in keys}
    for k in ("category", "area", "unit"):
        if f[k] and not f[k].isdigit():
            f[k] = ""
    return {k: v for k, v in f.items() if v}


def _filter_context(request: HttpRequest) -> dict:
    return {
        "categories": Category.objects.filter(is_active=True),
        "areas": geo.wards(),
        "statuses": Status.choices,
        "filters": _filters(request),
        "periods": [("7d", _("Last 7 days")), ("30d", _("Last 30 days")), ("90d", _("Last 90 days")), ("365d", _("Last 12 months"))],
    }


def _question_field(form: ReportForm, field: str | None) -> str | None:
    """The form field a service error belongs to (None: the whole form)."""
    if field == "location":
        return "address"
    if field == "phone" and "reporter_phone" in form.fields:
        return "reporter_phone"
    return field if field in form.fields else None


def _add_errors(form: ReportForm, errors) -> None:
    """The service's errors on their fields, in one round; a field the form already refused
    (a missing category, a text too long) keeps the form's own message only."""
    for exc in errors:
        field = _question_field(form, exc.field)
        if field is not None and field in form.errors:
            continue
        form.add_error(field, exc.message)


def _stage_posted(request: HttpRequest, token: str) -> tuple[list, list[str]]:
    """The photos of a posted report form: those staged earlier for it (the form names their
    ids: uploaded by the page's script, or kept from an earlier round) and those in the body
    itself (no script), staged now so that an error elsewhere does not lose them. Returns the
    staged photos and the messages of the photos refused."""
    removed = {i for i in request.POST.getlist("remove_staged")}
    for pk in removed:  # ticked "remove" under a kept photo (without the page's script)
        if parse_id(pk):
            staging.discard(user=request.user, pk=parse_id(pk))
    kept = staging.staged_for(user=request.user, client_token=token,
                              ids=[i for i in request.POST.getlist("staged") if i not in removed])
    problems: list[str] = []
    for upload in request.FILES.getlist("photos"):
        if not upload:
            continue
        try:
            item, _gps = staging.stage(user=request.user, client_token=token, upload=upload)
        except DomainError as exc:
            problems.append(exc.message)
        else:
            kept.append(item)
    return kept, problems


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """The report form. Every error is shown in one round (``submit.report_check``), and the
    photos are kept across rounds (``lib.staging``): with the page's script each photo is
    uploaded once, to ``photo_stage``, and the form sends only their ids."""
    for_caller = policy.can_file_for_caller(request.user) and request.GET.get("for") == "caller"
    call = caller_filing().call_for_filing(request) if for_caller else None  # ?call=<id>: link to it
    category = None
    category_id = parse_id(request.POST.get("category") or request.GET.get("category"))
    if category_id:
        category = Category.objects.filter(pk=category_id, is_active=True).prefetch_related("questions").first()
    form = ReportForm(request.POST if request.method == "POST" else None, category=category, for_caller=for_caller,
                      initial=caller_filing().caller_initial(call, name="reporter_name", phone="reporter_phone"))
    status, error, staged = 200, None, []
    if request.method == "POST":
        token = (request.POST.get("client_token") or "").strip()[:64]
        if submit_service.token_used(token):
            staged, problems = [], []  # a retry of a sent form: the service replays (or refuses) it
        else:
            staged, problems = _stage_posted(request, token)
        valid = form.is_valid()
        data = form.cleaned_data
        processed = staging.as_processed(staged)
        if not submit_service.token_used(token):
            _add_errors(form, submit_service.report_check(
                category=data.get("category") or category,
                description=form.data.get("description", ""),
                lat=form.data.get("lat"), lon=form.data.get("lon"), address=form.data.get("address", ""),
                location_precision=form.data.get("location_precision") or None,
                answers=form.answers(), reporter_name=form.data.get("reporter_name", ""),
                reporter_phone=form.data.get("reporter_phone", ""),
                photos=processed, photos_required=not for_caller and not problems,
            ))
        for message in problems:
            form.add_error("photos", message)
        if valid and not form.errors:
            try:
                if not for_caller:  # operators file for many callers: not limited (reports/limits.py)
                    limits.count_submit(request, user=request.user, client_token=data["client_token"])
                report = services.report_submit(
                    reporter=None if for_caller else request.user,
                    filed_by=request.user if for_caller else None,
                    category=data["category"],
                    description=data["description"],
                    lat=data["lat"],
                    lon=data["lon"],
                    address=data["address"],
                    location_precision=data.get("location_precision") or None,
                    is_public=data["is_public"],
                    photos=processed,
                    photos_required=not for_caller,
                    answers=form.answers(),
                    client_token=data["client_token"],
                    channel="hotline" if for_caller else "web",
                    reporter_name=data.get("reporter_name", ""),
                    reporter_phone=data.get("reporter_phone", ""),
                )
            except DomainError as exc:
                form.add_error(_question_field(form, exc.field), exc.message)
                status, error = exc.http_status, exc
            else:
                staging.consume(staged)
                if call is not None:
                    return caller_filing().link_and_return(request, call, report)
                messages.success(request, _("Thank you! Your report %(ref)s was received.") % {"ref": report.ref})
                if formreply.wants_json(request):  # the outbox sent it (lib/formreply.py): the page follows
                    return formreply.sent(ref=report.ref, url=reverse("reports:detail", args=[report.pk]))
                return redirect("reports:detail", report.pk)
        else:
            status = 400
        if formreply.wants_json(request):
            return set_retry_after(formreply.refused(form, status=status), error)
    response = _render_new(request, form, for_caller, staged, status)
    return set_retry_after(response, error)  # over a limit (429): the form is kept, with when to retry


def _render_new(request: HttpRequest, form: ReportForm, for_caller: bool, staged: list, status: int) -> HttpResponse:
    from django.conf import settings

    return render(request, "reports/new.html", {
        "form": form, "for_caller": for_caller, "map_center": _map_center(), "staged": staged,
        "photo_max_bytes": settings.OPENCITY_PHOTO_MAX_BYTES,
        "photo_max_count": settings.OPENCITY_PHOTO_MAX_COUNT,
    }, status=status)


def _map_center():
    from django.conf import settings

    return settings.OPENCITY_MAP_CENTER


@require_GET
def category_questions(request: HttpRequest) -> HttpResponse:
    """htmx: the extra questions of the chosen category."""
    category_id = parse_id(request.GET.get("category"))
    category = Category.objects.filter(pk=category_id, is_active=True).first() if category_id else None
    form = ReportForm(category=category)
    return render(request, "reports/partials/questions.html", {"form": form})


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """htmx: open reports of the same category about 50 m around the pin. No pin yet: nothing;
    a position that is not a place on earth ("inf", "nan", 1e308): 400."""
    raw_lat, raw_lon = request.GET.get("lat", "").strip(), request.GET.get("lon", "").strip()
    if not raw_lat or not raw_lon:
        return render(request, "reports/partials/nearby.html", {"reports": []})
    lat = parse_coordinate(raw_lat, field="lat", limit=90)
    lon = parse_coordinate(raw_lon, field="lon", limit=180)
    category = refdata.category(parse_id(request.GET.get("category")))
    radius = category.duplicate_radius_m if category else 50
    reports = selectors.nearby_open(user=request.user, lat=lat, lon=lon, category=category, radius_m=radius)
    return render(request, "reports/partials/nearby.html", {"reports": reports})


@upload_policy(photos=1, login_required=True, json=True)
@require_POST
def photo_location(request: HttpRequest) -> JsonResponse:
    """The GPS position stored in a photo, to suggest the place (the photo is not kept).

    For signed-in people only (the report form is), one photo's worth of body at most — both
    refused before the body is read (``lib.uploads``) — and no pixel is decoded: the header's
    size is checked, then the EXIF block is read (``lib.images.probe_gps``)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in first, please.")}, status=403)
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse({"error": _("No photo.")}, status=400)
    try:
        gps = probe_gps(upload)
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=exc.http_status)
    if gps is None:
        return JsonResponse({"found": False})
    area = geo.area_for_point(*gps)
    return JsonResponse({"found": True, "lat": gps[0], "lon": gps[1], "area": area.name if area else None,
                         "in_city": area is not None})


def _staged_json(request: HttpRequest, item, gps=None) -> dict:
    from django.template.loader import render_to_string

    html = render_to_string("reports/partials/staged_photo.html", {"p": item}, request=request)
    body: dict = {"id": item.pk, "html": html, "found": False}
    if gps is not None:
        area = geo.area_for_point(*gps)
        body.update(found=True, lat=gps[0], lon=gps[1], area=area.name if area else None, in_city=area is not None)
    return body


@upload_policy(photos=1, login_required=True, json=True)
@require_POST
def photo_stage(request: HttpRequest) -> JsonResponse:
    """Upload one photo of the report form, once: it is checked, re-encoded (pixels only) and
    kept for this form (``lib.staging``); the answer is its id, its thumbnail's markup and the
    GPS position the original carried — or the one the page read from it before shrinking it
    (``gps_lat``/``gps_lon``) — with its ward, to suggest the place. The position is not kept."""
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse({"error": _("No photo.")}, status=400)
    try:
        read = None  # read by the page from the original before it shrank it (which drops EXIF)
        if request.POST.get("gps_lat") and request.POST.get("gps_lon"):
            read = (parse_coordinate(request.POST["gps_lat"], field="gps_lat", limit=90),
                    parse_coordinate(request.POST["gps_lon"], field="gps_lon", limit=180))
        item, gps = staging.stage(user=request.user, client_token=request.POST.get("client_token", ""), upload=upload,
                                  upload_key=request.POST.get("upload_key", ""))
        gps = gps or read
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=exc.http_status)
    return JsonResponse(_staged_json(request, item, gps), status=201)


@login_required
@require_POST
def photo_unstage(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a photo kept for the report form (only one's own)."""
    if not staging.discard(user=request.user, pk=pk):
        raise Http404
    return HttpResponse(status=204)


@login_required
@require_GET
def staged_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    """The thumbnail of a photo kept for one's own report form."""
    item = staging.get_for(user=request.user, pk=pk)
    if item is None:
        raise Http404
    response = HttpResponse(bytes(item.thumb), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def address_lookup(request: HttpRequest) -> JsonResponse:
    """Typed address → where to put the pin, and how precise that is.

    The geocoder (``geo.geocode``, when the city configured one) places a street address:
    ``precision: "address"`` — the form moves the pin there and asks the person to confirm or
    drag it (signed-in people only). Failing that, the ward the address names (old names work):
    ``precision: "area"`` — the map shows the ward, and the person is asked for a pin."""
    text = request.GET.get("q", "")[:255]
    # The outside geocoder only for signed-in people (the form is theirs): visitors cannot use
    # this page as an open proxy to it. Repeated texts are answered from the cache.
    place = geocode.geocode(text) if text.strip() and request.user.is_authenticated else None
    if place is not None:
        area = place.area
        return JsonResponse({"found": True, "precision": "address", "lat": place.lat, "lon": place.lon,
                             "label": place.label, "area": area.name, "area_id": area.pk,
                             "message": _("Found near %(place)s. Check the pin: drag it to the exact place, "
                                          "then confirm.") % {"place": place.label or area.name}})
    area = geo.area_for_address(text) if text.strip() else None
    if area is None:
        return JsonResponse({"found": False, "message": _("We could not place this address. Put a pin on the map.")})
    return JsonResponse({"found": True, "precision": "area", "area": area.name, "area_id": area.pk,
                         "lat": area.lat, "lon": area.lon,
                         "message": _("Ward/commune: %(area)s. Now tap the exact place on the map.") % {"area": area.name}})


def _to_report(request: HttpRequest, report: Report) -> HttpResponse:
    """Go to a report found by its code (htmx: the whole page goes, not the list fragment)."""
    url = reverse("reports:detail", args=[report.pk])
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """Public reports. A search for a report's code ("PA002001", "pa 2001") opens that report
    when the viewer may see it; otherwise the list is empty, the same for a code no report has
    and for a private one (``selectors.report_by_code``)."""
    filters = _filters(request)
    code_id = selectors.report_code_id(filters.get("q", ""))
    if code_id is not None and "page" not in request.GET:
        found = selectors.report_by_code(user=request.user, code=filters["q"])
        if found is not None:
            return _to_report(request, found)
    qs = selectors.report_list(user=None, filters={**filters, "public_only": True}).prefetch_related("photos")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, **_filter_context(request),
               "code": Report(pk=code_id).ref if code_id is not None else ""}
    template = "reports/partials/list_results.html" if request.headers.get("HX-Request") else "reports/list.html"
    return render(request, template, context)


@require_GET
def report_lookup(request: HttpRequest) -> HttpResponse:
    """"Look up my report": a report's code (as people type it: "pa2001", "PA 002001") → the
    report. A code no report has and a report the viewer may not see give the same 404 (no
    leak); a text that is not a code, 400; no code yet, the form."""
    raw = request.GET.get("code", "").strip()[:40]
    context = {"lookup_code": raw}
    if not raw:
        return render(request, "reports/lookup.html", context)
    code_id = selectors.report_code_id(raw, bare=True)
    if code_id is None:
        context["lookup_error"] = _("“%(code)s” is not a report code. A code looks like PA002001.") % {"code": raw}
        return render(request, "reports/lookup.html", context, status=400)
    report = selectors.report_by_code(user=request.user, code=raw, bare=True)
    if report is None:
        context["lookup_error"] = _("No report has the code %(code)s. Check the code in the message you "
                                    "received when you sent it.") % {"code": Report(pk=code_id).ref}
        return render(request, "reports/lookup.html", context, status=404)
    return redirect("reports:detail", report.pk)


@require_GET
def report_map(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/map.html", {**_filter_context(request), "map_center": _map_center()})


def _bbox(request: HttpRequest) -> tuple[float, float, float, float] | None:
    """``bbox=south,west,north,east`` in degrees (what Leaflet's ``getBounds().toBBoxString()``
    gives reordered); absent: None."""
    raw = request.GET.get("bbox", "").strip()
    if not raw:
        return None
    try:
        south, west, north, east = (float(x) for x in raw.split(","))
    except ValueError:
        raise DomainValidationError(_("The map's bounding box must be four numbers: south,west,north,east."),
                                    code="bad_bbox", field="bbox") from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
        raise DomainValidationError(_("The map's bounding box must be four numbers: south,west,north,east."),
                                    code="bad_bbox", field="bbox")
    return south, west, north, east


@require_GET
def points_geojson(request: HttpRequest) -> JsonResponse:
    """Public reports in the map's viewport: points, or server-side clusters when zoomed out
    (``selectors.map_points``)."""
    raw_zoom = request.GET.get("zoom", "").strip()
    zoom = int(raw_zoom) if raw_zoom.isascii() and raw_zoom.isdigit() and len(raw_zoom) < 4 else None
    try:
        bbox = _bbox(request)
        return JsonResponse(selectors.map_points(user=None, filters=_filters(request), bbox=bbox, zoom=zoom))
    except DomainValidationError as e:
        return JsonResponse({"error": e.code, "message": str(e.message)}, status=400)


@require_GET
def areas_geojson(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(geo.boundaries_geojson())
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@visitor_cache("report", lambda pk: selectors.report_page_stamp(pk))
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)
    into = policy.merged_redirect(request.user, report)
    if into is not None:
        return redirect("reports:detail", into)
    user = request.user
    photos, result_photos = selectors.photos_by_kind(user=user, report=report)
    context = {
        "report": report,
        "answers": selectors.report_answers(report, user=user),
        "events": selectors.timeline(user=user, report=report),
        "photos": photos,
        "result_photos": result_photos,
        "actions": available_actions(user, report) if user.is_authenticated else set(),
        "show_reporter": can_view_reporter(user, report),
        "show_internal": can_view_internal(user, report),
        "following": user.is_authenticated and report.follows.filter(user=user).first(),
        "rate_form": RateForm(),
        "is_reporter": user.is_authenticated and report.reporter_id == user.pk,
        "map_center": (report.lat, report.lon),
    }
    return render(request, "reports/detail.html", context)


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    qs = selectors.report_mine(user=request.user).prefetch_related("photos")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/mine.html", {"page": page})


def _act(request: HttpRequest, pk: int, run, success: str):
    back = safe_next(request, request.POST.get("next"), reverse("reports:detail", args=[pk]))
    try:
        run()
    except DomainError as exc:
        messages.error(request, exc.message)
        if request.headers.get("HX-Request"):
            return error_response(request, exc)
        return redirect(back)
    messages.success(request, success)
    return redirect(back)


@login_required
@require_POST
def citizen_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The reporter's and the public's actions: follow, me too, unfollow, rate, dispute, answer."""
    access_report(request.user, pk)
    user, post = request.user, request.POST
    actions = {
        "follow": (lambda: services.report_follow(report_id=pk, actor=user), _("You follow this report.")),
        "me_too": (lambda: services.report_follow(report_id=pk, actor=user, me_too=True),
                   _("Thank you: you are counted as affected, and you follow this report.")),
        "unfollow": (lambda: services.report_unfollow(report_id=pk, actor=user), _("You no longer follow this report.")),
        "rate": (lambda: services.report_rate(report_id=pk, actor=user, rating=post.get("rating"),
                                              comment=post.get("comment", "")), _("Thank you for your rating.")),
        "dispute": (lambda: services.report_dispute(report_id=pk, actor=user, reason=post.get("reason", "")),
                    _("Your dispute was sent to the operations centre.")),
        "answer": (lambda: services.report_answer_info(report_id=pk, actor=user, text=post.get("text", ""),
                                                       photos=request.FILES.getlist("photos")),
                   _("Your answer was sent to the unit.")),
    }
    if action not in actions:
        raise Http404
    run, success = actions[action]
    return _act(request, pk, run, success)


@require_GET
def photo_file(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    """Serve a photo if its report is visible; hidden photos and originals only to staff in scope.

    Never cacheable by shared caches (a CDN, a proxy): a photo blurred or hidden by moderation
    must stop being served at once, and a copy a shared cache kept under the same URL would be
    served to anyone for as long as its max-age. Each viewer's own browser keeps it a few minutes
    and revalidates with the ETag, which changes with every version (a blur or a restore writes
    a new file)."""
    photo = Photo.objects.select_related("report").filter(pk=pk).first()
    if photo is None or variant not in ("full", "thumb", "original"):
        raise Http404
    report = access_report(request.user, photo.report_id)
    if not policy.can_view_photo(request.user, report, photo, variant=variant):
        raise Http404
    field = {"full": photo.image, "thumb": photo.thumb, "original": photo.original or photo.image}[variant]
    version = hashlib.sha256(f"{photo.pk}:{variant}:{field.name}:{photo.is_hidden}".encode()).hexdigest()[:32]
    etag = f'"{version}"'  # the file's name changes with every blur or restore
    headers = {"ETag": etag, "Cache-Control": PHOTO_CACHE_CONTROL}
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    try:
        fh = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(fh, content_type="image/jpeg")
    for name, value in headers.items():
        response[name] = value
    return response
