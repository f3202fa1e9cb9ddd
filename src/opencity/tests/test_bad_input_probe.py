"""A probe of bad input across every surface: pages, the JSON API, Open311, the feeds and the
telephone exchange's webhook (issue #13: "a probe of 200+ bad inputs gives 0 × 500").

Each case is one request a careless client or an attacker could send: wrong types, empty and
huge values (10 MB strings, 10^30, ``inf``, ``nan``, ``-0``, ``1e309``), ids past a bigint,
NUL and lone surrogates, right-to-left and zero-width characters, emoji, injection strings,
malformed JSON, wrong content types, duplicate parameters, impossible dates, bad cursors and
``Idempotency-Key`` values, wrong methods, oversized uploads, bad coordinates and pages. Every
answer must be below 500, and under ``/api/`` and ``/open311/`` it must be the API's error
document, not an HTML page. Some cases ask more (``expect``): wherever a NUL is sent it must
never be stored (PostgreSQL refuses it, SQLite keeps it: the answer is a 4xx or the text is
cleaned), and the rules issue #13 names answer a 4xx (a description of zero-width characters
only, an Idempotency-Key reused with another body).

The cases are tables, run by a few tests that send them all and report every failure at once
(one database set-up per surface keeps the module fast). Each case runs in a savepoint that is
rolled back, so every one meets the same world. Every case holds on both databases; a new
finding is added to its table with its fix.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON

# --- values --------------------------------------------------------------------------------

MB10 = "A" * (10 * 1024 * 1024)  # a 10 MB string
BIG = "B" * 100_000  # 100 kB: big enough for every field, quick to send
E30 = "1" + "0" * 30  # 10^30
ID30 = "9" * 30  # a 30-digit id
OVER = str(2**63)  # one past PostgreSQL's bigint
NUL = "a\x00b"
RTL_ZW = "\u202eabc\u200b\u200c\u200d\u2066"  # right-to-left override, zero-width, isolate
ZW_ONLY = "\u200b\u200c\u200d\ufeff\u2060" * 4  # only zero-width characters
EMOJI = "🚧🔥💡" * 50
SQLI = "' OR 1=1; DROP TABLE reports_report; --"
HTML = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
SUPERSCRIPT = "²"  # str.isdigit() is true, int() refuses it
DEEP_JSON = "[" * 100_000 + "]" * 100_000  # json.loads → RecursionError
LONE_SURROGATE_JSON = '"\\ud800"'  # legal JSON text, not encodable as UTF-8
SECRET = "probe-exchange-secret-0123456789"

# Placeholders in paths and form values, filled from the world (``World.ids``): {report},
# {alert}, {message}, {rescue}, {call}, {callback}, {team}, {unit}, {other_unit}, {category}.
#: A form value replaced by the world's Open311 api key.
API_KEY = object()


def b64(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def jpeg_junk(size: int = 2048, name: str = "photo.jpg") -> SimpleUploadedFile:
    """Bytes named like a JPEG that are not one (a fresh object per use: uploads are read once)."""
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0" + b"\x00JUNK" * (size // 5), content_type="image/jpeg")


# --- cases ---------------------------------------------------------------------------------

LT500 = "lt500"  # any answer below 500
FOUR = "4xx"  # a client error: 400–499
NO_NUL = "no_nul"  # below 500, and no text column of ours holds a NUL afterwards


@dataclass
class Case:
    who: str  # "anon" or a member of the cast (see ``world``)
    method: str
    path: str  # may hold {report}, {alert}…
    query: Any = None  # dict or list of pairs (duplicates allowed), or a raw query string
    form: dict | None = None  # form fields (urlencoded, or multipart when files are in it)
    body: Any = None  # a raw body (bytes or str), or an object sent as JSON
    ctype: str | None = None
    headers: dict = field(default_factory=dict)
    expect: str = LT500
    sign: bool = False  # sign the body like the telephone exchange
    prime: tuple = ()  # requests sent first, in the same savepoint
    note: str = ""

    def __post_init__(self) -> None:
        if self.expect == LT500 and "\\x00" in repr((self.query, self.form, self.body)):
            self.expect = NO_NUL  # wherever a NUL is sent, it must not be stored

    @property
    def label(self) -> str:
        parts = [self.who, self.method, self.path]
        for part in (self.query, self.form, self.body):
            if part is not None:
                parts.append(_short(part))
        if self.headers:
            parts.append(_short(self.headers))
        if self.note:
            parts.append(f"({self.note})")
        return " ".join(parts)

    def key(self) -> str:
        return repr((self.who, self.method, self.path, _fingerprint(self.query), _fingerprint(self.form),
                     _fingerprint(self.body), self.ctype, _fingerprint(self.headers), self.sign,
                     [c.key() for c in self.prime]))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 90 else f"{text[:60]}…<{len(text)} chars>"


def _fingerprint(value) -> str:
    if isinstance(value, str | bytes) and len(value) > 1000:
        data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
        return f"{type(value).__name__}:{len(value)}:{hashlib.sha256(data).hexdigest()}"
    if isinstance(value, SimpleUploadedFile):
        return f"file:{value.name}:{value.size}"
    if isinstance(value, dict):
        return repr({k: _fingerprint(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return repr([_fingerprint(v) for v in value])
    if value is API_KEY:
        return "API_KEY"
    return repr(value)


def get(who: str, path: str, query=None, **kw) -> Case:
    return Case(who, "GET", path, query=query, **kw)


def post(who: str, path: str, form: dict | None = None, **kw) -> Case:
    return Case(who, "POST", path, form=form if form is not None else {}, **kw)


def send_json(who: str, method: str, path: str, body, **kw) -> Case:
    """``body``: an object (sent as JSON) or a raw str/bytes (sent as it is)."""
    kw.setdefault("ctype", "application/json")
    return Case(who, method, path, body=body, **kw)


def raw(who: str, method: str, path: str, body, ctype: str, **kw) -> Case:
    return Case(who, method, path, body=body, ctype=ctype, **kw)


def vary(base: dict, **changes) -> dict:
    """``base`` with some fields changed (``None`` drops one)."""
    data = {**base, **changes}
    return {k: v for k, v in data.items() if v is not None}


# --- the public pages (anonymous visitors) --------------------------------------------------

PUBLIC_PAGES = [
    get("anon", "/", {"page": "-1"}),
    get("anon", "/", {"q": BIG}),
    # the public list: search, filters, pages
    *[get("anon", "/reports/", {"q": q}) for q in (NUL, BIG, SQLI, HTML, RTL_ZW, EMOJI, "%", "_", "\\")],
    *[get("anon", "/reports/", {"area": v}) for v in (ID30, OVER, "-1", SUPERSCRIPT, "１２", "1e30")],
    *[get("anon", "/reports/", {k: v}) for k in ("category", "unit") for v in (ID30, OVER, SUPERSCRIPT)],
    get("anon", "/reports/", {"status": NUL}),
    get("anon", "/reports/", {"status": "bogus"}),
    *[get("anon", "/reports/", {"period": v}) for v in ("9999d", "-1d", "inf", BIG, "0d")],
    get("anon", "/reports/", {"overdue": "maybe"}),
    *[get("anon", "/reports/", {"page": v}) for v in ("-1", "0", "abc", ID30, "1e309", "inf")],
    get("anon", "/reports/", [("area", "1"), ("area", "abc"), ("page", "1"), ("page", "2")], note="duplicates"),
    get("anon", "/reports/", "area[]=1&area[]=2&q[$ne]=1", note="arrays"),
    get("anon", "/reports/", "q=%ED%A0%80&status=%00&page=%", note="invalid UTF-8 and %"),
    get("anon", "/reports/", {"q": "x"}, headers={"HX-Request": "true"}),
    # 10 MB values
    get("anon", "/reports/", {"q": MB10}),
    post("anon", "/accounts/login/", {"phone": "0905000001", "password": MB10}),
    # the map and its data
    get("anon", "/reports/map/", {"area": ID30, "category": "abc", "q": NUL}),
    *[get("anon", "/reports/points.geojson", {"bbox": v}) for v in (
        "1,2,3", "a,b,c,d", "inf,-inf,nan,1", "91,-181,92,181", "1e309,0,0,0", "," * 1000, BIG,
        "16,107,15,108", "-0,-0,-0,-0")],
    *[get("anon", "/reports/points.geojson", {"zoom": v}) for v in (ID30, "-1", "1e3", BIG)],
    get("anon", "/reports/points.geojson", {"zoom": SUPERSCRIPT}),
    get("anon", "/reports/points.geojson", {"area": ID30}),
    get("anon", "/reports/points.geojson", {"category": ID30}),
    get("anon", "/reports/points.geojson", {"q": NUL, "status": BIG}),
    get("anon", "/reports/areas.geojson", {"x": NUL}),
    # nearby (htmx) and the address lookup
    get("anon", "/reports/nearby/", {"lat": "inf", "lon": "inf"}),
    get("anon", "/reports/nearby/", {"lat": "1e309", "lon": "107.5"}),
    *[get("anon", "/reports/nearby/", q) for q in (
        {"lat": "nan", "lon": "nan"}, {"lat": "91", "lon": "-181"}, {"lat": "abc", "lon": "1"},
        {"lat": "16.47"}, {"lat": "-0", "lon": "-0"}, {"lat": E30, "lon": E30},
        {"lat": str(STORY_LAT), "lon": str(STORY_LON), "category": ID30},
        {"lat": str(STORY_LAT), "lon": str(STORY_LON), "category": SUPERSCRIPT})],
    *[get("anon", "/reports/address/", {"q": v}) for v in (BIG, NUL, RTL_ZW, SQLI, EMOJI)],
    get("anon", "/reports/address/", "q=%ED%A0%80", note="a lone surrogate, UTF-8 encoded"),
    *[get("anon", "/reports/new/questions/", {"category": v}) for v in (ID30, "-1", "abc")],
    get("anon", "/reports/new/questions/", {"category": SUPERSCRIPT}),
    # ids in paths
    *[get("anon", f"/reports/{v}/") for v in (ID30, OVER, "0")],
    get("anon", "/reports/-1/"),
    *[get("anon", f"/photos/{v}/full.jpg") for v in (ID30, OVER)],
    get("anon", "/photos/1/original.jpg"),
    get("anon", "/photos/1/..%2F..%2Fsettings.jpg"),
    # statistics
    *[get("anon", "/statistics/", {"period": v}) for v in ("9999-12", "2026-02-30", "2026-Q9", BIG, NUL)],
    get("anon", "/statistics/", {"period": "0001-01"}),
    *[get("anon", "/statistics/", {"area": v}) for v in (ID30, "-1")],
    get("anon", "/statistics/", {"area": SUPERSCRIPT}),
    *[get("anon", "/statistics/", {"sort": v}) for v in (NUL, "-" * 1000, "__class__", BIG)],
    # warnings
    *[get("anon", "/warnings/archive/", {"page": v}) for v in (ID30, "-1", "abc")],
    get("anon", "/warnings/", {"x": NUL}),
    *[get("anon", f"/warnings/{v}/") for v in (ID30, OVER, "0")],
    get("anon", f"/warnings/{OVER}/areas.geojson"),
    get("anon", "/warnings/areas.geojson", {"x": BIG}),
    # open data
    *[get("anon", "/open-data/reports.csv", {"from": v}) for v in (
        "0001-01-01", "9999-12-31", "2026-02-30", BIG, "31/12/9999", NUL, "-1")],
    get("anon", "/open-data/reports.csv", {"from": "9999-12-31", "to": "0001-01-01"}),
    *[get("anon", "/open-data/reports.csv", {k: v}) for k, v in (
        ("category", NUL), ("ward", ID30), ("status", "bogus,open"), ("status", "," * 1000), ("category", SQLI))],
    *[get("anon", "/open-data/reports.geojson", {k: v}) for k, v in (
        ("to", "9999-12-31"), ("from", "2026-02-30"), ("ward", BIG), ("status", NUL))],
    get("anon", "/open-data/reports.csv-metadata.json", {"x": NUL}),
    # small things
    get("anon", "/healthz", {"x": BIG}),
    post("anon", "/healthz"),
    post("anon", "/manifest.webmanifest"),
    Case("anon", "PUT", "/sw.js", body="x", ctype="text/plain"),
    *[post("anon", "/i18n/setlang/", f) for f in (
        {"language": "xx"}, {"language": NUL}, {"language": BIG[:100_000]},
        {"language": "en", "next": "https://evil.example/"}, {"language": "en", "next": "//evil.example"})],
    # wrong methods
    Case("anon", "PUT", "/reports/", body="{}", ctype="application/json"),
    Case("anon", "DELETE", "/reports/1/"),
    Case("anon", "PATCH", "/statistics/", body="x", ctype="text/plain"),
    Case("anon", "OPTIONS", "/reports/"),
    Case("anon", "HEAD", "/warnings/"),
    Case("anon", "TRACE", "/"),
    Case("anon", "BREW", "/reports/"),
    post("anon", "/reports/map/", {"x": "1"}),
    get("anon", "/accounts/logout/"),
    # signing in and up
    *[post("anon", "/accounts/login/", f) for f in (
        {"phone": NUL, "password": "x"}, {"phone": BIG, "password": "x"},
        {"phone": "0905000001", "password": BIG}, {"phone": SQLI, "password": SQLI},
        {"phone": SUPERSCRIPT * 10, "password": "x"}, {"phone": "0905000001"}, {},
        {"phone": ["0905000001", "0905000002"], "password": "x"})],
    get("anon", "/accounts/login/", {"next": "//evil.example/"}),
    raw("anon", "POST", "/accounts/login/", b"phone=%FF%FE&password=%00", "application/x-www-form-urlencoded"),
    raw("anon", "POST", "/accounts/login/", "phone=1&password=2", "application/x-www-form-urlencoded; charset=bogus"),
    raw("anon", "POST", "/accounts/login/", b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    raw("anon", "POST", "/accounts/login/", b"{}", "multipart/form-data"),
    get("anon", "/accounts/login/otp/"),
    post("anon", "/accounts/login/otp/", {"token": NUL}),
    *[post("anon", "/accounts/signup/", f) for f in (
        {"step": "phone", "phone": ID30}, {"step": "phone", "phone": NUL}, {"step": "phone", "phone": BIG},
        {"step": "details", "phone": "0905999999", "code": NUL, "full_name": BIG, "password": "x"},
        {"step": "details", "phone": ID30, "code": "123456", "full_name": "A", "password": "x" * 10,
         "email": "not-an-email"},
        {"step": "bogus"}, {"step": ["phone", "details"]})],
    get("anon", "/accounts/profile/", {"x": NUL}),
    post("anon", "/reports/1/rate/", {"rating": "abc"}),
    # a photo's position (anonymous today; issue #13 item 6)
    post("anon", "/reports/photo-location/", {}),
    post("anon", "/reports/photo-location/", {"photo": "not a file"}),
    post("anon", "/reports/photo-location/", {"photo": jpeg_junk()}),
    post("anon", "/reports/photo-location/", {"photo": jpeg_junk(10 * 1024 * 1024)}, note="10 MB"),
    raw("anon", "POST", "/reports/photo-location/", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png"),
    post("anon", "/warnings/push/subscribe/", {}),
    post("anon", "/admin/", {"x": "1"}),
    get("anon", "/admin/login/", {"next": "//evil.example/", "x": NUL}),
    get("anon", "/admin/reports/report/", {"o": NUL}),
    get("anon", "/nowhere/" + "x" * 5000),
    get("anon", "/reports/", headers={"Accept-Language": "x" * 10_000}),
    get("anon", "/reports/", headers={"Cookie": "sessionid=" + "x" * 5000 + "; csrftoken=\x00"}),
    get("anon", "/reports/", headers={"Host": "evil.example"}),
]

# --- pages of signed-in people --------------------------------------------------------------

REPORT_FORM = {"category": "{category}", "description": "Đèn đường trước số nhà 31 bị tắt.",
               "lat": str(STORY_LAT), "lon": str(STORY_LON), "address": "Kiệt 32 Lê Văn Hưu",
               "is_public": "on", "client_token": "probe-form-token-1"}
SOS_FORM = {"lat": str(STORY_LAT), "lon": str(STORY_LON), "people": "3", "needs": "evacuation",
            "note": "Nước lên tới mái nhà", "client_token": "probe-sos-token-0001"}
WARNING_FORM = {"event": "flood", "severity": "Severe", "urgency": "Expected", "certainty": "Likely",
                "response_type": "Evacuate", "status": "Actual", "headline_vi": "Cảnh báo lũ",
                "description_vi": "Mực nước sông Hương lên cao.", "expires": "31/12/2026 23:00",
                "whole_city": "on"}
CALL_FORM = {"direction": "inbound", "phone": "0905123456", "started_at": "2026-03-20T09:00",
             "duration": "3:20", "topic": "field_report", "outcome": "resolved", "note": "Hỏi đèn đường"}
DIGITAL_FORM = {"month": "2026-01", "level": "city", "area": "", "unit": "", "format": "xlsx"}

CITIZEN_PAGES = [
    # a new report
    *[get("citizen", "/reports/new/", {"category": v}) for v in (ID30, "-1", "abc")],
    get("citizen", "/reports/new/", {"category": SUPERSCRIPT}),
    get("citizen", "/reports/new/", {"for": "caller", "call": ID30}),
    *[post("citizen", "/reports/new/", vary(REPORT_FORM, **change)) for change in (
        {"lat": "inf"}, {"lat": "nan"}, {"lat": "91"}, {"lon": "-181"}, {"lat": "abc"}, {"lat": E30},
        {"lat": "-0", "lon": "-0"}, {"lat": None, "lon": None, "address": NUL},
        {"description": BIG}, {"description": ""}, {"description": HTML}, {"description": RTL_ZW},
        {"category": ID30}, {"category": "abc"}, {"category": "-1"}, {"is_public": "maybe"},
        {"client_token": BIG}, {"client_token": NUL}, {"photos": jpeg_junk()}, {"address": BIG},
        {"photos": jpeg_junk(10 * 1024 * 1024)}, {"photos": [jpeg_junk(100, f"p{i}.jpg") for i in range(11)]},
        {"category": SUPERSCRIPT}, {"q_x": NUL, "description": EMOJI})],
    Case("citizen", "POST", "/reports/new/", form=vary(REPORT_FORM, description=NUL), expect=NO_NUL),
    Case("citizen", "POST", "/reports/new/", form=vary(REPORT_FORM, description=ZW_ONLY), expect=FOUR),
    post("citizen", "/reports/new/", {f"f{i}": "x" for i in range(1200)}, note="too many fields"),
    post("citizen", "/reports/new/", vary(REPORT_FORM, description=MB10)),
    raw("citizen", "POST", "/reports/new/", json.dumps(REPORT_FORM), "application/json"),
    # my reports, a report's actions
    *[get("citizen", "/reports/mine/", {"page": v}) for v in (ID30, "-1", "abc")],
    *[post("citizen", "/reports/{report}/rate/", {"rating": v}) for v in ("abc", ID30, "inf", "-0", "6", "")],
    post("citizen", "/reports/{report}/rate/", {"rating": "5", "comment": BIG}),
    post("citizen", "/reports/{report}/dispute/", {"reason": BIG}),
    post("citizen", "/reports/{report}/dispute/", {"reason": ""}),
    post("citizen", "/reports/{report}/answer/", {"text": NUL}),
    post("citizen", "/reports/{report}/answer/", {"text": "x", "photos": jpeg_junk()}),
    post("citizen", "/reports/{report}/follow/", {"next": "https://evil.example/"}),
    post("citizen", f"/reports/{ID30}/follow/"),
    post("citizen", f"/reports/{OVER}/me_too/"),
    post("citizen", "/reports/{report}/bogus-action/"),
    get("citizen", "/reports/{report}/me_too/"),
    # notifications
    get("citizen", "/notifications/", {"page": "abc"}),
    *[post("citizen", "/notifications/read/", {"id": v}) for v in ("-1", "abc", "", NUL)],
    # profile and security
    *[post("citizen", "/accounts/profile/", f) for f in (
        {"action": "profile", "full_name": "An", "email": "not-an-email", "preferred_language": "vi"},
        {"action": "profile", "full_name": "An", "email": "", "preferred_language": "xx"},
        {"action": "profile", "full_name": BIG, "preferred_language": "vi"},
        {"action": "profile", "full_name": "", "preferred_language": "vi"},
        {"action": "home_area", "home_area": ID30}, {"action": "home_area", "home_area": "abc"},
        {"action": "home_area", "home_area": SUPERSCRIPT}, {"action": "home_area", "home_area": "-1"},
        {"action": "home_from_point", "lat": "inf", "lon": "inf"}, {"action": "home_from_point", "lat": "nan", "lon": "1"},
        {"action": "home_from_point", "lat": "abc"}, {"action": "home_from_point"},
        {"action": "share_location", "lat": "91", "lon": "-181"}, {"action": "share_location", "lat": "1e309", "lon": "0"},
        {"action": "share_location", "lat": E30, "lon": E30}, {"action": "clear_location", "x": NUL},
        {"action": "bogus"}, {"action": BIG}, {"action": ["profile", "home_area"]})],
    post("citizen", "/accounts/profile/", {"action": "profile", "full_name": NUL, "preferred_language": "vi"},
               expect=FOUR),
    *[post("citizen", "/accounts/security/", f) for f in (
        {"action": "confirm", "token": NUL}, {"action": "confirm", "token": BIG}, {"action": "disable"},
        {"action": "bogus"})],
    # SOS
    *[post("citizen", "/sos/", vary(SOS_FORM, **change)) for change in (
        {"people": "0"}, {"people": "-1"}, {"people": ID30}, {"people": "inf"}, {"people": "abc"},
        {"needs": "bogus"}, {"needs": None}, {"lat": "inf"}, {"lat": "nan"}, {"lat": "91", "lon": "-181"},
        {"lat": None, "lon": None}, {"client_token": "short"}, {"client_token": BIG}, {"note": BIG},
        {"photo": jpeg_junk()}, {"photo": jpeg_junk(10 * 1024 * 1024)}, {"people": "1e309"})],
    Case("citizen", "POST", "/sos/", form=vary(SOS_FORM, note=NUL), expect=NO_NUL),
    get("citizen", "/sos/new/", {"for": "caller", "call": ID30}),
    *[get("citizen", f"/sos/{v}/") for v in (ID30, OVER)],
    get("citizen", f"/sos/{OVER}/live/"),
    *[post("citizen", "/sos/{rescue}/cancel/", f) for f in (
        {"version": ID30, "reason": "x"}, {"version": "abc", "reason": "x"}, {"version": SUPERSCRIPT},
        {"reason": BIG})],
    post("citizen", "/sos/{rescue}/cancel/", {"reason": NUL}),
    get("citizen", "/sos/team/"),
    post("citizen", "/sos/team/position/", {"lat": "inf", "lon": "nan"}, headers={"Accept": "application/json"}),
    post("citizen", "/sos/{rescue}/step/", {"action": "bogus", "version": ID30}),
    # push subscriptions
    *[raw("citizen", "POST", "/warnings/push/subscribe/", body, "application/json") for body in (
        "{", "[]", "null", '{"endpoint": 1}', '{"endpoint": "https://evil.example/", "keys": []}',
        '{"endpoint": "' + "x" * 100_000 + '"}', b"\xff\xfe\x00", '{"endpoint": ' + LONE_SURROGATE_JSON + "}",
        '{"endpoint": "http://127.0.0.1:22/", "keys": {"p256dh": "x", "auth": "y"}}')],
    raw("citizen", "POST", "/warnings/push/subscribe/", DEEP_JSON, "application/json"),
    *[raw("citizen", "POST", "/warnings/push/unsubscribe/", body, "application/json") for body in (
        "{", '{"endpoint": []}', '{"endpoint": "' + NUL + '"}')],
    # staff pages refuse citizens
    *[get("citizen", p) for p in ("/ioc/", "/ioc/triage/", "/unit/inbox/", "/hotline/", "/ioc/dispatch/",
                                  "/warnings/new/", "/ioc/reports/", "/staff/reports/{report}/")],
    post("citizen", "/staff/reports/{report}/route/", {"unit": "abc"}),
    get("citizen", "/ioc/live/stream"),
]

STAFF_PAGES = [
    # triage, the unit inbox and a report's staff page
    *[get("operator", "/ioc/triage/", {k: v}) for k, v in (
        ("page", "abc"), ("page", ID30), ("status", NUL), ("q", BIG), ("area", OVER), ("period", "inf"))],
    get("operator", "/ioc/triage/", {"area": ID30}),
    get("operator", "/staff/reports/{report}/", {"x": NUL}),
    *[get("operator", f"/staff/reports/{v}/") for v in (ID30, OVER)],
    *[post("operator", "/staff/reports/{report}/" + action + "/", form) for action, form in (
        ("route", {"unit": "abc"}), ("route", {"unit": "-1"}), ("route", {"unit": "{unit}", "version": ID30}),
        ("route", {"unit": "{unit}", "note": BIG}),
        ("merge", {"into_ref": "PA" + ID30}), ("merge", {"into": "abc"}), ("merge", {"into": "-1"}),
        ("reject", {"reason": "bogus"}), ("reject", {"reason": NUL}),
        ("correct", {"lat": "inf", "lon": "nan"}), ("correct", {"lat": "91", "lon": "-181"}),
        ("correct", {"category": "abc"}), ("correct", {"address": BIG}),
        ("set_priority", {"priority": "bogus"}), ("set_priority", {"priority": BIG}),
        ("moderate_text", {"public_text": BIG}), ("moderate_text", {"public_text": HTML}),
        ("moderate_photo", {"photo": "-1", "photo_action": "hide"}),
        ("decide_dispute", {"agree": NUL}), ("decide_extension", {"extension": "", "approve": "1"}),
        ("note", {"text": BIG}), ("note", {"text": ""}), ("bogus", {}))],
    post("operator", "/staff/reports/{report}/merge/", {"into": ID30}),
    post("operator", "/staff/reports/{report}/route/", {"unit": ID30}),
    post("operator", "/staff/reports/{report}/correct/", {"category": ID30}),
    post("operator", "/staff/reports/{report}/moderate_photo/", {"photo": "abc", "photo_action": "hide"}),
    post("operator", "/staff/reports/{report}/moderate_photo/", {"photo": ID30, "photo_action": "hide"}),
    post("operator", "/staff/reports/{report}/decide_extension/", {"extension": "abc"}),
    post("operator", "/staff/reports/{report}/decide_extension/", {"extension": ID30}),
    Case("operator", "POST", "/staff/reports/{report}/moderate_text/", form={"public_text": NUL}, expect=NO_NUL),
    Case("operator", "POST", "/staff/reports/{report}/note/", form={"text": NUL}, expect=NO_NUL),
    get("operator", "/staff/reports/{report}/route/"),
    # the IOC console
    *[get("operator", "/ioc/", {"period": v}) for v in ("9999-Q4", "2026-02-30", BIG, NUL, "0000-00")],
    get("operator", "/ioc/", {"period": "0001"}),
    *[get("operator", "/ioc/", {k: v}) for k, v in (
        ("area", ID30), ("area", "-1"), ("unit", ID30), ("unit", "abc"), ("category", "999999999999"),
        ("sort", BIG), ("sort", NUL))],
    get("operator", "/ioc/", {"area": SUPERSCRIPT}),
    get("operator", "/ioc/", {"category": SUPERSCRIPT}),
    get("operator", "/ioc/cards/", {"unit": SUPERSCRIPT}),
    get("operator", "/ioc/overdue/", {"unit": "abc"}),
    get("operator", "/ioc/map.json", {"category": "-1", "period": "9999"}),
    *[get("operator", "/ioc/list/", q) for q in (
        {"figure": "bogus"}, {"page": ID30}, {"unit": SUPERSCRIPT},
        {"figure": NUL, "area": ID30}, {"category": "-1", "status": BIG})],
    get("operator", "/ioc/list/", {"figure": "received", "period": "0001"}),
    get("operator", "/ioc/live/stream", {"after": SUPERSCRIPT}),
    get("operator", "/ioc/live/stream", {"after": ID30}),
    get("operator", "/ioc/live/stream", headers={"Last-Event-ID": SUPERSCRIPT * 3}),
    # the dispatch board
    get("operator", "/ioc/dispatch/", {"x": NUL}),
    get("operator", "/ioc/dispatch/map.geojson", {"bbox": "x"}),
    *[post("operator", "/ioc/dispatch/{rescue}/acknowledge/", {"version": v}) for v in (ID30, SUPERSCRIPT, "-1", "abc")],
    *[post("operator", "/ioc/dispatch/{rescue}/assign/", {"team": v}) for v in ("abc", ID30, "", "-1", SUPERSCRIPT)],
    post("operator", "/ioc/dispatch/{rescue}/cancel/", {"reason": BIG}),
    post("operator", "/ioc/dispatch/{rescue}/cancel/", {"reason": NUL}),
    post("operator", f"/ioc/dispatch/{ID30}/acknowledge/"),
    get("operator", "/ioc/dispatch/{rescue}/assign/"),
    # warnings
    *[post("operator", "/warnings/new/", vary(WARNING_FORM, **change)) for change in (
        {"expires": "01/01/0001 00:00"}, {"expires": "31/12/9999 23:59"}, {"effective": "30/02/2026 10:00"},
        {"expires": "0001-01-01T00:00"}, {"onset": "9999-12-31 23:59"},
        {"areas": "abc", "whole_city": None}, {"unit": ID30}, {"unit": "abc"}, {"headline_vi": BIG},
        {"event": "bogus"}, {"severity": NUL}, {"description_vi": ""}, {"whole_city": "maybe"})],
    Case("operator", "POST", "/warnings/new/", form=vary(WARNING_FORM, headline_vi=NUL), expect=NO_NUL),
    post("operator", "/warnings/new/", vary(WARNING_FORM, areas=ID30, whole_city=None)),
    *[post("operator", "/warnings/{alert}/update/", vary(WARNING_FORM, **change)) for change in (
        {"expires": "01/01/0001 00:00"}, {"based_on": ID30}, {"based_on": "abc"}, {"note": BIG})],
    *[post("operator", "/warnings/{alert}/cancel/", f) for f in (
        {"based_on": ID30}, {"based_on": "abc"}, {"based_on": NUL}, {"note": BIG})],
    get("operator", "/warnings/{alert}/staff/", {"x": NUL}),
    post("operator", f"/warnings/{ID30}/update/", WARNING_FORM),
    post("operator", f"/warnings/{OVER}/cancel/"),
    # digital reports
    *[post("operator", "/ioc/reports/request/", vary(DIGITAL_FORM, **change)) for change in (
        {"month": "0001-01"}, {"month": "9999-12"}, {"month": "2026-13"}, {"month": SUPERSCRIPT},
        {"level": "ward", "area": "999999999999"}, {"level": "unit", "unit": ID30}, {"level": "bogus"},
        {"format": "exe"}, {"month": BIG})],
    post("operator", "/ioc/reports/request/", vary(DIGITAL_FORM, level="ward", area=SUPERSCRIPT)),
    post("operator", "/ioc/reports/request/", vary(DIGITAL_FORM, level="unit", unit=SUPERSCRIPT * 2)),
    post("operator", "/ioc/reports/subscriptions/", vary(DIGITAL_FORM, level="ward", area="abc")),
    post("operator", "/ioc/reports/subscriptions/", vary(DIGITAL_FORM, level="ward", area=SUPERSCRIPT)),
    post("operator", f"/ioc/reports/subscriptions/{ID30}/cancel/"),
    *[get("operator", f"/ioc/reports/{v}/{what}/") for v in (ID30, OVER) for what in ("status", "download")],
    # filing for a caller
    *[get("operator", "/reports/new/", {"for": "caller", "call": v}) for v in (ID30, "abc", "-1")],
    *[get("operator", "/sos/new/", {"for": "caller", "call": v}) for v in (ID30, "abc")],
    # the admin
    *[get("admin_user", "/admin/reports/report/", q) for q in (
        {"o": "abc"}, {"q": NUL}, {"id__in": "abc"}, {"p": "-1"})],
    # a filter the database or the time-zone conversion refuses: the admin's "invalid filter"
    get("admin_user", "/admin/reports/report/", {"created_at__gte": "0001-01-01"}),
    get("admin_user", "/admin/reports/report/", {"status__exact": NUL}),
    get("admin_user", "/admin/accounts/user/", {"date_joined__gte": "0001-01-01"}),
    get("admin_user", f"/admin/accounts/user/{ID30}/change/"),
    get("admin_user", "/admin/reports/report/abc/change/"),
    # a unit's officer
    *[get("officer", "/unit/inbox/", {k: v}) for k, v in (("page", "-1"), ("status", NUL), ("unit", OVER))],
    get("officer", "/unit/inbox/", {"unit": ID30}),
    *[post("officer", "/staff/reports/{report}/" + action + "/", form) for action, form in (
        ("accept", {"version": "abc"}), ("accept", {"version": ID30}), ("accept", {"note": BIG}),
        ("request_extension", {"extra_hours": "inf", "reason": "x"}),
        ("request_extension", {"extra_hours": ID30, "reason": "x"}),
        ("request_extension", {"extra_hours": "-5", "reason": "x"}),
        ("request_extension", {"extra_hours": "abc", "reason": NUL}),
        ("request_extension", {"extra_hours": "1e309", "reason": "x"}),
        ("resolve", {"result": BIG}), ("resolve", {"result": "Đã thay bóng", "photos": jpeg_junk()}),
        ("ask_info", {"question": NUL}), ("return", {"reason": ""}))],
    get("officer", "/ioc/", {"unit": ID30}),
    # a unit head and a ward official in the console
    *[get("unit_head", "/ioc/", {"unit": v}) for v in (ID30, "{other_unit}", "-1")],
    *[get("ward_official", "/ioc/", {"area": v}) for v in (ID30, "1", "abc")],
    get("ward_official", "/ioc/", {"area": SUPERSCRIPT}),
    # the hotline
    get("hotline", "/hotline/", {"x": NUL}),
    get("hotline", "/hotline/incoming/"),
    *[post("hotline", "/hotline/presence/", f) for f in (
        {"available": "x"}, {"available": "1", "extension": BIG}, {"available": "1", "extension": NUL}, {})],
    *[post("hotline", "/hotline/calls/new/", vary(CALL_FORM, **change)) for change in (
        {"started_at": "9999-12-31T23:59"}, {"started_at": "2026-02-30T10:00"}, {"started_at": BIG},
        {"started_at": "31/12/9999 23:59"}, {"duration": "9999:99"}, {"duration": BIG}, {"duration": "-1"},
        {"phone": ID30}, {"phone": NUL}, {"phone": HTML}, {"direction": "bogus"}, {"note": BIG},
        {"topic": NUL}, {"started_at": None})],
    post("hotline", "/hotline/calls/new/", vary(CALL_FORM, started_at="0001-01-01T00:00")),
    post("hotline", "/hotline/calls/new/", vary(CALL_FORM, started_at="01/01/0001 00:00")),
    *[get("hotline", f"/hotline/calls/{v}/") for v in (ID30, OVER)],
    post("hotline", f"/hotline/calls/{ID30}/take/"),
    *[post("hotline", "/hotline/calls/{call}/wrap-up/", f) for f in (
        {"topic": "bogus", "outcome": "resolved"}, {"topic": "other", "outcome": "resolved", "duration": "1:99"},
        {"topic": "other", "outcome": "resolved", "note": BIG}, {"end": ID30})],
    *[post("hotline", "/hotline/calls/{call}/callbacks/", f) for f in (
        {"due_at": "9999-12-31T23:59:59"}, {"due_at": "2026-02-30T10:00"}, {"due_at": BIG},
        {"due_at": "2026-12-01T10:00", "assigned_to": ID30}, {"due_at": "2026-12-01T10:00", "assigned_to": "abc"},
        {"due_at": "2026-12-01T10:00", "note": NUL})],
    post("hotline", "/hotline/calls/{call}/callbacks/", {"due_at": "0001-01-01T00:00"}),
    *[post("hotline", "/hotline/callbacks/{callback}/log/", f) for f in (
        {"outcome": "bogus"}, {"outcome": "no_answer", "duration": "1:99"}, {"outcome": "resolved", "note": BIG})],
    post("hotline", f"/hotline/callbacks/{ID30}/log/", {"outcome": "resolved"}),
    *[get("hotline", "/hotline/history/", {"phone": v}) for v in (NUL, BIG, ID30, "+84 " + SUPERSCRIPT, SQLI)],
    *[get("hotline", "/hotline/counts/", q) for q in (
        {"start": "0001-01-01", "end": "0001-01-02"}, {"start": "9999-12-30", "end": "9999-12-31"},
        {"start": "2026-02-30"}, {"start": "31/12/9999", "end": "31/12/9999"}, {"start": BIG},
        {"start": "2026-01-01", "end": "2020-01-01"})],
    get("leader", "/hotline/counts/", {"start": "0001-01-01", "end": "0001-12-31"}),
    get("leader", "/ioc/", {"period": "0001-01-01"}),
    get("leader", "/ioc/reports/", {"x": NUL}),
    get("leader", "/statistics/", {"period": "9999-12-31"}),
    # a rescue team member
    *[post("rescuer", "/sos/{rescue}/step/", {"action": v, "version": "1"}) for v in ("bogus", NUL, "")],
    post("rescuer", "/sos/{rescue}/step/", {"action": "dispatch", "note": NUL}),
    *[post("rescuer", "/sos/team/position/", f, headers={"Accept": "application/json"}) for f in (
        {"lat": "inf", "lon": "inf"}, {"lat": "nan", "lon": "1"}, {"lat": "91", "lon": "-181"}, {"lat": "abc"},
        {"lat": E30, "lon": E30})],
    get("rescuer", "/sos/team/", {"x": NUL}),
]

# --- the JSON API -------------------------------------------------------------------------

CURSORS = ["!!!", "", "a", b64([]), b64([None, None]), b64(["x", 1]), b64(["2026-02-30T00:00:00+07:00", 1]),
           b64({"a": 1}), b64(b"\xff\xfe\xfd"), b64(DEEP_JSON[:20_000].encode()), "x" * 600,
           b64(["2026-01-01T00:00:00+07:00", "1"]), b64(["2026-01-01T00:00:00+07:00", True]),
           b64(["2026-01-01T00:00:00+07:00", 1.5]), b64("1e400"), "%00", BIG[:5000]]
LIMITS = ["0", "-1", ID30, "abc", "1.5", "inf", "nan", "1e309", ""]
SUBMIT = {"category": "{category}", "description": "Đèn đường trước số nhà 31 bị tắt.",
          "lat": str(STORY_LAT), "lon": str(STORY_LON), "address": "Kiệt 32 Lê Văn Hưu"}
BAD_KEYS = ["k" * 65, "khóa-bí-mật-ü", "\x00", " ", "a\nb", BIG[:10_000]]

API = [
    # signing in
    *[send_json("anon", "POST", "/api/v1/auth/token", body) for body in (
        "{", "", "null", "[]", "123", '"x"', '{"phone": 1, "password": 2}', '{"phone": "a\\u0000b", "password": "x"}',
        '{"phone": ' + LONE_SURROGATE_JSON + ', "password": "x"}', '{"phone": "0905000001", "password": NaN}',
        '{"phone": "a", "phone": "b", "password": "x"}', '{"phone": ["0905000001"], "password": "x"}',
        '{"phone": "0905000001", "password": "x", "otp": 123456}', '{"phone": {"$ne": 1}, "password": "x"}',
        '{"phone": "0905000001", "password": "' + BIG + '"}', DEEP_JSON, b"\xff\xfe{}")],
    raw("anon", "POST", "/api/v1/auth/token", '{"phone": "0905000001", "password": "x"}', "text/plain"),
    raw("anon", "POST", "/api/v1/auth/token", "phone=0905000001&password=x", "application/x-www-form-urlencoded"),
    raw("anon", "POST", "/api/v1/auth/token", '{"phone": "1", "password": "2"}', "application/json; charset=bogus"),
    raw("anon", "POST", "/api/v1/auth/token", b"--x\r\n", "multipart/form-data; boundary=x"),
    *[send_json("anon", "POST", "/api/v1/auth/token", {"phone": "0905000001", "password": "x"},
                headers={"Idempotency-Key": k}) for k in BAD_KEYS],
    get("anon", "/api/v1/auth/token"),
    send_json("anon", "POST", "/api/v1/auth/token", {"phone": "0905000001", "password": MB10}),
    Case("citizen", "POST", "/api/v1/reports", form=vary(SUBMIT, description=MB10)),
    # tokens and me
    get("anon", "/api/v1/auth/tokens"),
    get("citizen", "/api/v1/auth/tokens", {"limit": ID30}),
    *[Case("citizen", "DELETE", f"/api/v1/auth/tokens/{v}") for v in (ID30, OVER, "-1", "abc", "0")],
    get("citizen", "/api/v1/auth/me", headers={"If-None-Match": "x" * 10_000}),
    *[send_json("citizen", "PATCH", "/api/v1/auth/me", body) for body in (
        {"full_name": BIG}, {"email": "x"}, {"email": "a\x00@example.vn"}, {"preferred_language": "xx"},
        {"home_area_id": -1}, {"home_area_id": "abc"}, {"home_area_id": [1]}, {"home_area_id": True},
        {"home_area_id": 1.5}, {"full_name": 5}, {"full_name": ""}, {"unknown": 1}, [], "{", DEEP_JSON,
        '{"full_name": ' + LONE_SURROGATE_JSON + "}")],
    send_json("citizen", "PATCH", "/api/v1/auth/me", f'{{"home_area_id": {ID30}}}'),
    send_json("citizen", "PATCH", "/api/v1/auth/me", '{"home_area_id": 1e30}'),
    send_json("citizen", "PATCH", "/api/v1/auth/me", {"full_name": NUL}, expect=NO_NUL),
    *[send_json("citizen", "POST", "/api/v1/auth/me/location", body) for body in (
        '{"lat": Infinity, "lon": 107}', '{"lat": NaN, "lon": NaN}', '{"lat": 1e309, "lon": 1e309}',
        {"lat": 91, "lon": -181}, {"lat": "abc", "lon": 1}, {"lat": 16.47}, {"lat": [16.47], "lon": 107.5},
        {"lat": -0.0, "lon": -0.0}, "null")],
    Case("citizen", "DELETE", "/api/v1/auth/me/location", body="garbage", ctype="text/plain"),
    *[send_json("citizen", "POST", "/api/v1/auth/me/home-area/from-location", body) for body in (
        '{"lat": Infinity, "lon": -Infinity}', '{"lat": NaN, "lon": 1}', {"lat": E30, "lon": E30}, {})],
    # notifications
    *[get("citizen", "/api/v1/notifications", {"limit": v}) for v in LIMITS],
    *[get("citizen", "/api/v1/notifications", {"cursor": v}) for v in CURSORS[:8]],
    *[send_json("citizen", "POST", "/api/v1/notifications/read", body) for body in (
        {"id": "abc"}, {"id": [1]}, {"id": -1}, "{", '{"id": 1e30}', {"id": None, "x": NUL})],
    send_json("citizen", "POST", "/api/v1/notifications/read", f'{{"id": {ID30}}}'),
    get("anon", "/api/v1/notifications"),
    # wards
    get("anon", "/api/v1/areas", {"x": NUL}),
    *[get("anon", "/api/v1/areas/lookup", q) for q in (
        {"lat": "inf", "lon": "inf"}, {"lat": "nan", "lon": "nan"}, {"lat": "91", "lon": "-181"},
        {"lat": "abc", "lon": "1"}, {"lat": "16.47"}, {"address": BIG}, {"address": NUL}, {"address": RTL_ZW},
        {"lat": "1e309", "lon": "0"}, {"lat": E30, "lon": E30}, {}, [("lat", "1"), ("lat", "x"), ("lon", "2")])],
    # public reports
    *[get("anon", "/api/v1/reports", {"limit": v}) for v in LIMITS],
    *[get("anon", "/api/v1/reports", {"cursor": v}) for v in CURSORS],
    *[get("anon", "/api/v1/reports", {k: v}) for k, v in (
        ("category", "abc"), ("category", "-1"), ("category", OVER), ("area", "1e30"), ("status", "bogus"),
        ("status", NUL), ("period", "bogus"), ("period", BIG))],
    get("anon", "/api/v1/reports", {"area": ID30}),
    get("anon", "/api/v1/reports", {"category": ID30}),
    get("anon", "/api/v1/reports", {"cursor": b64(["9999-12-31T23:59:59-14:00", 1])}),
    get("anon", "/api/v1/reports", {"cursor": b64(["0001-01-01T00:00:00+14:00", 1])}),
    get("anon", "/api/v1/reports", {"cursor": b64(["2026-01-01T00:00:00+07:00", 10**30])}),
    get("anon", "/api/v1/reports", [("limit", "1"), ("limit", "abc")]),
    get("anon", "/api/v1/reports", "limit[]=1&area[$gt]=1"),
    get("anon", "/api/v1/reports/mine"),
    *[get("citizen", "/api/v1/reports/mine", {"cursor": v}) for v in CURSORS[:6]],
    get("citizen", "/api/v1/reports/mine", {"limit": ID30}),
    get("anon", "/api/v1/categories", {"x": BIG}),
    *[get("anon", f"/api/v1/reports/{v}") for v in (ID30, OVER, "-1", "abc", "0", "1.5", "%00")],
    *[get("anon", f"/api/v1/reports/{v}/timeline") for v in (ID30, OVER)],
    get("anon", "/api/v1/reports/{report}", headers={"If-None-Match": "*, " + "W/" * 1000}),
    # submitting
    *[Case("citizen", "POST", "/api/v1/reports", form=vary(SUBMIT, **change)) for change in (
        {"category": "abc"}, {"category": "-1"}, {"category": OVER}, {"lat": "inf"}, {"lat": "nan"},
        {"lat": "1e309"}, {"lat": "91"}, {"lon": "-181"}, {"lat": None, "lon": None, "address": NUL},
        {"description": BIG}, {"description": ""}, {"description": RTL_ZW}, {"is_public": "maybe"},
        {"answers": "{"}, {"answers": "[]"}, {"answers": DEEP_JSON[:50_000]}, {"answers": '{"x": ' + LONE_SURROGATE_JSON + "}"},
        {"answers": BIG}, {"photos": jpeg_junk()}, {"photos": jpeg_junk(10 * 1024 * 1024)},
        {"photos": [jpeg_junk(100, f"p{i}.jpg") for i in range(11)]}, {"photos": "not a file"},
        {"description": EMOJI}, {"category": SUPERSCRIPT})],
    Case("citizen", "POST", "/api/v1/reports", form=vary(SUBMIT, category=ID30)),
    Case("citizen", "POST", "/api/v1/reports", form=vary(SUBMIT, description=NUL), expect=NO_NUL),
    Case("citizen", "POST", "/api/v1/reports", form=vary(SUBMIT, description=ZW_ONLY), expect=FOUR),
    *[Case("citizen", "POST", "/api/v1/reports", form=SUBMIT, headers={"Idempotency-Key": k}) for k in BAD_KEYS],
    send_json("citizen", "POST", "/api/v1/reports", SUBMIT, note="JSON instead of a form"),
    raw("citizen", "POST", "/api/v1/reports", "category=1&description=x", "text/plain"),
    raw("citizen", "POST", "/api/v1/reports", b"--b\r\nContent-Disposition: form-data\r\n\r\nx", "multipart/form-data; boundary=b"),
    Case("anon", "POST", "/api/v1/reports", form=SUBMIT),
    Case("citizen", "PUT", "/api/v1/reports", body="{}", ctype="application/json"),
    Case("citizen", "DELETE", "/api/v1/reports/{report}"),
    # a report's actions
    *[send_json("citizen", "POST", f"/api/v1/reports/{v}/follow", {}) for v in (ID30, OVER, "-1")],
    send_json("citizen", "POST", "/api/v1/reports/{report}/follow", "garbage"),
    Case("citizen", "DELETE", f"/api/v1/reports/{ID30}/follow"),
    send_json("citizen", "POST", f"/api/v1/reports/{OVER}/me-too", {}),
    *[send_json("citizen", "POST", "/api/v1/reports/{report}/rate", body) for body in (
        {"rating": "abc"}, {"rating": [5]}, {"rating": -0.0}, {"rating": 5, "comment": BIG},
        {"rating": 5, "comment": 5}, '{"rating": 1e309}', f'{{"rating": {ID30}}}', '{"rating": Infinity}', {})],
    send_json("citizen", "POST", "/api/v1/reports/{report}/rate", {"rating": 5, "comment": NUL}, expect=NO_NUL),
    *[send_json("citizen", "POST", "/api/v1/reports/{report}/dispute", body) for body in (
        {"reason": ""}, {"reason": 1}, {"reason": BIG}, {"reason": None})],
    *[send_json("citizen", "POST", "/api/v1/reports/{report}/answer", body) for body in (
        {"text": ""}, {"text": [1]}, {"text": BIG})],
    send_json("citizen", "POST", "/api/v1/reports/{report}/answer", '{"text": ' + LONE_SURROGATE_JSON + "}"),
    *[send_json("citizen", "POST", "/api/v1/reports/{report}/rate", {"rating": 5}, headers={"Idempotency-Key": k})
      for k in BAD_KEYS[:3]],
    # staff
    get("citizen", "/api/v1/triage"),
    *[get("operator", "/api/v1/triage", q) for q in (
        {"limit": ID30}, {"cursor": "!!!"}, {"category": "abc"}, {"status": NUL}, {"area": OVER})],
    get("operator", "/api/v1/triage", {"area": ID30}),
    *[get("officer", "/api/v1/inbox", q) for q in ({"limit": "-1"}, {"cursor": b64([1, 2, 3])}, {"period": NUL})],
    *[send_json("operator", "POST", "/api/v1/reports/{report}/" + action, body) for action, body in (
        ("route", {"unit_id": "abc"}), ("route", {"unit_id": -1}), ("route", {"version": "x"}),
        ("route", {"unit_id": "{unit}", "note": BIG}), ("route", "{"),
        ("merge", {"into": -1}), ("merge", {"into": "PA1"}), ("merge", {}),
        ("reject", {"reason": "bogus"}), ("reject", {"reason": NUL}), ("reject", {"reason": ["spam"]}),
        ("notes", {"text": ""}), ("notes", {"text": BIG}), ("notes", {"text": 1}))],
    send_json("operator", "POST", "/api/v1/reports/{report}/route", f'{{"unit_id": {ID30}}}'),
    send_json("operator", "POST", "/api/v1/reports/{report}/merge", f'{{"into": {ID30}}}'),
    send_json("operator", "POST", "/api/v1/reports/{report}/notes", {"text": NUL}, expect=NO_NUL),
    send_json("operator", "POST", f"/api/v1/reports/{OVER}/route", {"unit_id": 1}),
    *[send_json("officer", "POST", "/api/v1/reports/{report}/" + action, body) for action, body in (
        ("accept", {"version": "abc"}), ("accept", {"note": BIG}), ("accept", "[]"),
        ("return", {"reason": ""}), ("ask-info", {"question": ""}), ("ask-info", {"question": 5}),
        ("extensions", {"extra_hours": -5, "reason": "x"}), ("extensions", {"extra_hours": "inf", "reason": "x"}),
        ("extensions", {"extra_hours": 1.5, "reason": "x"}), ("extensions", {"reason": "x"}))],
    send_json("officer", "POST", "/api/v1/reports/{report}/extensions", f'{{"extra_hours": {ID30}, "reason": "x"}}'),
    send_json("officer", "POST", "/api/v1/reports/{report}/extensions", '{"extra_hours": 1e309, "reason": "x"}'),
    *[Case("officer", "POST", "/api/v1/reports/{report}/resolve", form=f) for f in (
        {"result": BIG}, {"result": "Đã thay bóng", "version": "abc"}, {"result": "x", "photos": jpeg_junk()},
        {"result": NUL})],
    # documents and unknown paths
    get("anon", "/api/openapi.json", {"x": NUL}),
    post("anon", "/api/openapi.json"),
    get("anon", "/api/v2/reports"),
    get("anon", "/api/v1/" + "x" * 5000),
    Case("anon", "OPTIONS", "/api/v1/reports"),
    Case("anon", "HEAD", "/api/v1/categories"),
    # credentials
    *[get("anon", "/api/v1/auth/me", headers={"Authorization": a}) for a in (
        "Bearer " + BIG[:100_000], "Bearer \x00", "Basic YTpi", "Bearer", "Bearer ключ", "bearer  x  y")],
]

# The IETF draft on Idempotency-Key: the same key with another body is a 422 (issue #13, item 8).
IDEMPOTENCY = [
    send_json("citizen", "POST", "/api/v1/notifications/read", {"id": 999_999}, expect=FOUR,
              headers={"Idempotency-Key": "probe-key-1"}, note="same key, another body",
              prime=(send_json("citizen", "POST", "/api/v1/notifications/read", {"id": None},
                               headers={"Idempotency-Key": "probe-key-1"}),)),
    send_json("citizen", "POST", "/api/v1/auth/me/location", {"lat": 16.46, "lon": 107.59}, expect=FOUR,
              headers={"Idempotency-Key": "probe-key-2"}, note="same key, another body",
              prime=(send_json("citizen", "POST", "/api/v1/auth/me/location", {"lat": STORY_LAT, "lon": STORY_LON},
                               headers={"Idempotency-Key": "probe-key-2"}),)),
]

# --- Open311 --------------------------------------------------------------------------------

O311 = "/open311/v2"
O311_POST = {"api_key": API_KEY, "jurisdiction_id": "hue.gov.vn", "service_code": "chieu-sang",
             "lat": str(STORY_LAT), "long": str(STORY_LON), "description": "Đèn đường trước số nhà 31 bị tắt."}

OPEN311 = [
    *[get("anon", f"{O311}/discovery.{fmt}", {"jurisdiction_id": v}) for fmt in ("json", "xml") for v in ("bogus", NUL, BIG)],
    *[get("anon", f"{O311}/services.{fmt}", {"x": NUL}) for fmt in ("json", "xml")],
    *[get("anon", f"{O311}/services/{code}.json") for code in ("chieu-sang", "%00", "x" * 5000, "..%2F..", ID30)],
    get("anon", f"{O311}/services/%ED%A0%80.xml"),
    *[get("anon", f"{O311}/requests.{fmt}", {k: v}) for fmt in ("json", "xml") for k, v in (
        ("service_request_id", ID30), ("service_request_id", OVER), ("service_request_id", "1," * 1001),
        ("service_request_id", SUPERSCRIPT), ("start_date", "0001-01-01"), ("start_date", "9999-12-31T23:59:59-14:00"),
        ("start_date", "2026-02-30"), ("end_date", "0001-01-01T00:00:00+14:00"), ("status", "bogus"),
        ("service_code", BIG), ("start_date", BIG), ("status", NUL))],
    get("anon", f"{O311}/requests.json", {"start_date": "2026-03-01", "end_date": "2025-01-01"}),
    post("anon", f"{O311}/requests.xml", vary(O311_POST, description=MB10)),
    get("anon", f"{O311}/requests.json", [("status", "open"), ("status", "x"), ("service_code", "a,b")]),
    *[get("anon", f"{O311}/requests/{v}.{fmt}") for fmt in ("json", "xml") for v in (ID30, OVER, "-1", "abc", "%00")],
    get("anon", f"{O311}/tokens/{ID30}.json"),
    get("anon", f"{O311}/tokens/x.xml"),
    get("anon", f"{O311}/discovery.yaml"),
    get("anon", f"{O311}/discovery"),
    get("anon", f"{O311}/" + "x" * 5000 + ".json"),
    Case("anon", "PUT", f"{O311}/requests.json", body="{}", ctype="application/json"),
    Case("anon", "DELETE", f"{O311}/requests/1.xml"),
    post("anon", f"{O311}/discovery.json"),
    # creating service requests
    post("anon", f"{O311}/requests.json", vary(O311_POST, api_key=None)),
    *[post("anon", f"{O311}/requests.json", vary(O311_POST, api_key=k)) for k in ("bogus", NUL, BIG[:100_000])],
    *[post("anon", f"{O311}/requests.{fmt}", vary(O311_POST, **change)) for fmt in ("json", "xml") for change in (
        {"lat": "inf", "long": "inf"}, {"lat": "nan", "long": "nan"}, {"lat": "91", "long": "-181"},
        {"lat": "1e309", "long": "0"}, {"lat": "abc"}, {"service_code": ID30}, {"service_code": NUL},
        {"description": BIG}, {"description": ""}, {"address_id": ID30}, {"email": "not-an-email"},
        {"media_url": "javascript:alert(1)"}, {"media_url": BIG}, {"attribute[\x00]": "x"},
        {"attribute[so-cot][]": [BIG[:100_000]] * 3}, {"first_name": HTML}, {"jurisdiction_id": "bogus"})],
    *[Case("anon", "POST", f"{O311}/requests.json", form=vary(O311_POST, **change), expect=NO_NUL) for change in (
        {"description": NUL}, {"address_string": NUL, "lat": None, "long": None}, {"first_name": NUL},
        {"attribute[x]": NUL})],
    Case("anon", "POST", f"{O311}/requests.json", form=vary(O311_POST, description=ZW_ONLY), expect=FOUR),
    raw("anon", "POST", f"{O311}/requests.json", json.dumps({"service_code": "chieu-sang"}), "application/json"),
    raw("anon", "POST", f"{O311}/requests.xml", b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    raw("anon", "POST", f"{O311}/requests.json", b"api_key=%FF&description=%ED%A0%80",
        "application/x-www-form-urlencoded"),
    raw("anon", "POST", f"{O311}/requests.json", "description=x", "application/x-www-form-urlencoded; charset=bogus"),
    post("anon", f"{O311}/requests.json", {f"attribute[a{i}]": "x" for i in range(150)} | {"api_key": API_KEY}),
]

# --- feeds and the exchange's webhook --------------------------------------------------------

EXCHANGE = "/hotline/exchange/events"


def event(**changes) -> dict:
    data = {"event": "call.started", "call_id": "pbx-probe-1", "from": "0905123456", "to": "19001075",
            "at": "2026-03-20T09:00:00+07:00"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def exchange(body, **kw) -> Case:
    """A signed event (``body``: an object sent as JSON, or raw bytes/str)."""
    return Case("anon", "POST", EXCHANGE, body=body, ctype="application/json", sign=True, **kw)


FEEDS_AND_WEBHOOK = [
    get("anon", "/alerts/feed.atom", {"page": "abc", "x": NUL}),
    get("anon", "/alerts/feed.atom", headers={"If-Modified-Since": "x" * 1000}),
    post("anon", "/alerts/feed.atom"),
    Case("anon", "HEAD", "/alerts/feed.atom"),
    *[get("anon", f"/alerts/{v}.cap") for v in (ID30, OVER, "0")],
    get("anon", "/alerts/{message}.cap", {"x": NUL}),
    post("anon", "/alerts/{message}.cap"),
    # a warning whose text holds characters XML 1.0 cannot carry, then the feed and the CAP file
    *[Case("operator", "GET", path, note=f"after a warning with {text!r}", prime=(
        post("operator", "/warnings/new/", vary(WARNING_FORM, headline_vi=text, description_vi=text)),))
      for text in ("Lũ\x0bsông\x1fHương", "Lũ\ufffe\uffff") for path in ("/alerts/feed.atom", "/warnings/")],
    # the webhook: unsigned, wrongly signed, malformed
    get("anon", EXCHANGE),
    Case("anon", "PUT", EXCHANGE, body="{}", ctype="application/json"),
    raw("anon", "POST", EXCHANGE, json.dumps(event()), "application/json", note="unsigned"),
    *[raw("anon", "POST", EXCHANGE, json.dumps(event()), "application/json", headers=h) for h in (
        {"X-OpenCity-Timestamp": "abc", "X-OpenCity-Signature": "sha256=00"},
        {"X-OpenCity-Timestamp": SUPERSCRIPT * 5, "X-OpenCity-Signature": "sha256=00"},
        {"X-OpenCity-Timestamp": ID30, "X-OpenCity-Signature": "sha256=00"},
        {"X-OpenCity-Timestamp": "-1", "X-OpenCity-Signature": "sha256=00"},
        {"X-OpenCity-Timestamp": "1", "X-OpenCity-Signature": "ключ"},
        {"X-OpenCity-Timestamp": "1", "X-OpenCity-Signature": "x" * 100_000},
        {"Content-Length": "abc"})],
    raw("anon", "POST", EXCHANGE, "x" * 20_000, "application/json", note="over 16 KB"),
    raw("anon", "POST", EXCHANGE, MB10, "application/json"),
    *[exchange(body) for body in ("{", "[]", "null", '"x"', "1e309", DEEP_JSON[:15_000], b"\xff\xfe", "",
                                   '{"event": ' + LONE_SURROGATE_JSON + "}")],
    *[exchange(event(**change)) for change in (
        {"at": "9999-12-31T23:59:59-14:00"}, {"at": "2026-02-30T10:00:00"}, {"at": 12345},
        {"at": None}, {"at": "x" * 5000}, {"at": "0001-01-01T00:00:00"}, {"at": "-1"},
        {"from": NUL}, {"from": ID30}, {"from": HTML}, {"event": "call.bogus"}, {"event": 1},
        {"call_id": "x" * 5000}, {"call_id": []}, {"call_id": NUL}, {"call_id": ""},
        {"extension": BIG[:8000]}, {"to": {"a": 1}}, {"direction": "sideways"})],
    exchange(event(at="0001-01-01T00:00:00+14:00")),
    exchange(event(event="call.answered", at="2026-03-20T09:00:10+07:00"),
             prime=(exchange(event(at="2026-03-20T09:00:00+07:00")),), note="then answered"),
]

TABLES = {
    "public pages": PUBLIC_PAGES,
    "signed-in pages": CITIZEN_PAGES,
    "staff pages": STAFF_PAGES,
    "API": API + IDEMPOTENCY,
    "Open311": OPEN311,
    "feeds and webhook": FEEDS_AND_WEBHOOK,
}


def all_cases() -> list[Case]:
    cases = []
    for table in TABLES.values():
        for entry in table:
            cases.append(entry if isinstance(entry, Case) else entry.values[0])
    return cases


# --- the world the cases meet -------------------------------------------------------------


@dataclass
class World:
    ids: dict
    users: dict
    tokens: dict
    api_key: str
    clients: dict = field(default_factory=dict)

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client(raise_request_exception=False)
            if who != "anon":
                sign_in(client, self.users[who])
            self.clients[who] = client
        return self.clients[who]


def sign_in(client: Client, user) -> None:
    """A session as after the login page; staff also pass the second factor (a verified TOTP
    device in the session, as ``django_otp.login`` leaves it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencity import policy

    client.force_login(user)
    if policy.is_staff(user) or user.is_staff:
        device = TOTPDevice.objects.create(user=user, name="probe", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


class _NoAddressFound:
    """Stands in for the address converter, an outside library (``vietnam_address_converter``)
    that takes 20–60 s to load its tables: the probe would spend most of its time there. Its
    calls are guarded (``geo.selectors.area_for_address``); geo/tests use the real one."""

    def auto_convert_address(self, text: str) -> dict:
        return {}


@pytest.fixture(autouse=True)
def _address_converter(monkeypatch):
    from opencity.geo import selectors

    if not selectors._converter.cache_info().currsize:  # the real one, when already loaded
        monkeypatch.setattr(selectors, "_converter", _NoAddressFound)


@pytest.fixture
def world(settings, citizen, citizen2, operator, officer, unit_head, other_unit, hotline, leader,
          admin_user, ward_official, lighting, lighting_rule, urban_works, make_report, phu_xuan) -> World:
    from opencity.accounts.models import Role, User
    from opencity.accounts.services import api_token_issue
    from opencity.alerts import services as alerts
    from opencity.conftest import PASSWORD
    from opencity.emergency.models import RescueTeam
    from opencity.emergency.services import rescue_request_create
    from opencity.hotline import services as hotline_services
    from opencity.open311.services import api_key_issue

    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = SECRET
    settings.OPENCITY_LIVE_STREAM_SECONDS = 0
    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.MemoryBackend"
    report = make_report()
    now = timezone.now()
    message = alerts.alert_publish(
        actor=operator, event="flood", severity="Severe", urgency="Expected", certainty="Likely",
        response_type="Evacuate", headline_vi="Cảnh báo lũ trên sông Hương",
        description_vi="Mực nước sông Hương dâng cao.", effective=now, expires=now + dt.timedelta(hours=24),
        area_ids=[phu_xuan.pk])
    team = RescueTeam.objects.create(name="Đội cứu hộ Phú Vang")
    rescuer = User.objects.create_user("0905000050", PASSWORD, full_name="Hồ Cứu Hộ", role=Role.CITIZEN)
    team.members.add(rescuer)
    rescue, _created = rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=3,
                                             needs=["evacuation"], client_token="probe-world-sos-1")
    call = hotline_services.call_log(actor=hotline, direction="inbound", phone="0905 123 456",
                                     started_at=now - dt.timedelta(minutes=10), duration_seconds=125,
                                     topic="field_report", outcome="callback_needed", note="Hỏi về đèn đường")
    callback = hotline_services.callback_schedule(actor=hotline, call_id=call.pk, due_at=now + dt.timedelta(hours=1))
    _key, raw_key = api_key_issue(name="Probe", application="Probe", rate_limit_per_minute=10_000)
    users = {"citizen": citizen, "citizen2": citizen2, "operator": operator, "officer": officer,
             "unit_head": unit_head, "hotline": hotline, "leader": leader, "admin_user": admin_user,
             "ward_official": ward_official, "rescuer": rescuer}
    ids = {"report": report.pk, "alert": message.alert_id, "message": message.pk, "rescue": rescue.pk,
           "call": call.pk, "callback": callback.pk, "team": team.pk, "unit": urban_works.pk,
           "other_unit": other_unit.pk, "category": lighting.pk}
    tokens = {who: api_token_issue(user=users[who], name="probe") for who in ("citizen", "operator", "officer")}
    return World(ids=ids, users=users, tokens=tokens, api_key=raw_key)


# --- sending a case and judging the answer --------------------------------------------------


def _fill(value, world: World):
    if value is API_KEY:
        return world.api_key
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in world.ids:
        return str(world.ids[value[1:-1]])
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _path(case: Case, world: World) -> str:
    path = case.path
    for name, pk in world.ids.items():
        path = path.replace("{" + name + "}", str(pk))
    if case.query is None:
        return path
    query = case.query if isinstance(case.query, str) else urlencode(_fill(case.query, world), doseq=True)
    return f"{path}?{query}"


def _has_file(form: dict) -> bool:
    return any(isinstance(v, SimpleUploadedFile) or (isinstance(v, list) and any(
        isinstance(x, SimpleUploadedFile) for x in v)) for v in form.values())


def _fresh(value):
    """Uploads are read once: send a copy of each file."""
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), content_type=value.content_type)
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def _send(case: Case, world: World):
    client = world.client(case.who)
    headers = dict(case.headers)
    if case.path.startswith("/api/") and case.who in world.tokens and "Authorization" not in headers:
        headers["Authorization"] = f"Bearer {world.tokens[case.who]}"
    path = _path(case, world)
    if case.form is not None:
        form = {k: _fresh(v) for k, v in _fill(case.form, world).items()}
        if case.path.startswith("/api/v1/reports") and case.method == "POST" or _has_file(form):
            return client.post(path, form, headers=headers)  # multipart
        return client.generic(case.method, path, urlencode(form, doseq=True),
                              content_type="application/x-www-form-urlencoded", headers=headers)
    body = case.body
    if body is not None and not isinstance(body, str | bytes):
        body = json.dumps(_fill(body, world))
    body = b"" if body is None else body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if case.sign:
        from opencity.hotline.exchange import sign

        stamp = int(time.time())
        headers = {"X-OpenCity-Timestamp": str(stamp), "X-OpenCity-Signature": sign(SECRET, stamp, body), **headers}
    return client.generic(case.method, path, body, content_type=case.ctype or "application/octet-stream",
                          headers=headers)


def _last_frame(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return "no exception recorded"
    frame = traceback.extract_tb(exc_info[2])[-1]
    return f"{exc_info[0].__name__}: {str(exc_info[1])[:120]} at {frame.filename.split('src/')[-1]}:{frame.lineno} in {frame.name}"


def _shape_problem(case: Case, response) -> str | None:
    """The document an answer under /api/ or /open311/ must be."""
    path = case.path.split("?")[0]
    if response.status_code < 400 or response.streaming:
        return None
    body = response.content
    if case.method == "HEAD":  # an answer to HEAD has no body (RFC 9110 9.3.2): its type must say JSON
        if path.startswith("/api/") and not response["Content-Type"].startswith("application/json"):
            return f"not the API's error type: {response['Content-Type']}"
        return None
    if path.startswith("/api/"):
        try:
            error = json.loads(body)["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
        except (ValueError, KeyError, TypeError, AssertionError):
            return f"not the API's error shape: {response['Content-Type']} {body[:120]!r}"
    elif path.startswith("/open311/") and path.endswith(".json"):
        try:
            errors = json.loads(body)
            assert isinstance(errors, list) and errors and all(set(e) == {"code", "description"} for e in errors)
        except (ValueError, TypeError, AssertionError):
            return f"not Open311's JSON errors: {body[:120]!r}"
    elif path.startswith("/open311/"):
        try:
            root = ET.fromstring(body)
            assert root.tag == "errors"
        except (ET.ParseError, AssertionError):
            return f"not Open311's XML errors: {body[:120]!r}"
    return None


def _nul_stored() -> str | None:
    """The first text column of ours holding a NUL (SQLite stores one; PostgreSQL refuses)."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not model.__module__.startswith("opencity."):
            continue
        text = (models.CharField, models.TextField, models.JSONField)
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, text)]
        for pk, *values in model.objects.values_list("pk", *names) if names else ():
            for name, value in zip(names, values, strict=True):
                if value is not None and "\x00" in (value if isinstance(value, str) else json.dumps(value,
                                                                                                    ensure_ascii=False)):
                    return f"{model._meta.label} {pk} stored a NUL in {name}"
    return None


def _judge(case: Case, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status}: {_last_frame(response)}"
    problem = _shape_problem(case, response)
    if problem:
        return f"{status} {problem}"
    if case.expect == FOUR and not 400 <= status < 500:
        return f"{status}, expected a 4xx"
    if case.expect == NO_NUL:
        stored = _nul_stored()
        if stored:
            return f"{status}, {stored}"
    return None


def probe(case: Case, world: World) -> tuple[int, str | None]:
    """Send ``case`` (after its ``prime`` requests) in a savepoint rolled back afterwards, so
    that every case meets the same world; returns (status, problem or None)."""
    client = world.client(case.who)
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            for first in case.prime:
                _send(first, world)
            response = _send(case, world)
            problem = _judge(case, response)
            if response.streaming:
                # read it to the end, as a server does (the test client's wrapper then closes it):
                # a stream that fails midway is a broken answer, and an export holds its slot
                # until closed (lib/concurrency.py)
                try:
                    b"".join(response.streaming_content)
                except Exception as exc:
                    problem = problem or f"the stream broke: {exc.__class__.__name__}: {str(exc)[:120]}"
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies  # a response may have dropped or replaced the session
    return response.status_code, problem


def run_table(world: World, cases: list[Case]) -> None:
    failures, statuses = [], []
    for case in cases:
        status, problem = probe(case, world)
        statuses.append(status)
        if problem:
            failures.append(f"{case.label}\n    → {problem}")
    client_errors = sum(400 <= s < 500 for s in statuses)
    print(f"{len(cases)} bad inputs: {client_errors} answered 4xx, "
          f"{sum(s < 400 for s in statuses)} below 400, {sum(s >= 500 for s in statuses)} × 5xx")
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures)


# --- the tests -----------------------------------------------------------------------------


def test_the_probe_sends_at_least_200_distinct_bad_inputs():
    cases = all_cases()
    keys = {c.key() for c in cases}
    print(f"{len(cases)} cases, {len(keys)} distinct, "
          + ", ".join(f"{name}: {len(table)}" for name, table in TABLES.items()))
    assert len(keys) == len(cases), "a case is listed twice"
    assert len(cases) >= 200


def test_public_pages_answer_bad_input_without_a_500(world):
    run_table(world, PUBLIC_PAGES)


def test_signed_in_pages_answer_bad_input_without_a_500(world):
    run_table(world, CITIZEN_PAGES)


def test_staff_pages_answer_bad_input_without_a_500(world):
    run_table(world, STAFF_PAGES)


def test_the_api_answers_bad_input_in_its_error_shape(world):
    run_table(world, API + IDEMPOTENCY)


def test_open311_answers_bad_input_in_its_error_format(world):
    run_table(world, OPEN311)


def test_feeds_and_the_exchange_webhook_answer_bad_input_without_a_500(world):
    run_table(world, FEEDS_AND_WEBHOOK)
