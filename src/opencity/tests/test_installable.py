"""The installable app (docs/offline.md): the manifest passes the checks an installability audit
makes (Lighthouse's "installable" and "PWA optimized" items that can be read from the JSON), and
the service worker names its cache by the shell files and keeps the right things."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from PIL import Image

from opencity import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def _static_file(url: str) -> str:
    name = url.removeprefix("/static/")
    path = finders.find(name) or (staticfiles_storage.exists(name) and staticfiles_storage.path(name))  # hashed
    assert path, url
    return path


def test_the_manifest_has_what_installing_needs(manifest):
    assert manifest["name"] and manifest["short_name"] and len(manifest["short_name"]) <= 12
    assert manifest["lang"] == "vi" and "Phản ánh" in manifest["description"]
    assert manifest["display"] in ("standalone", "fullscreen", "minimal-ui")
    assert manifest["scope"] == "/" and manifest["start_url"].startswith(manifest["scope"])
    for colour in (manifest["theme_color"], manifest["background_color"]):
        assert re.fullmatch(r"#[0-9a-f]{6}", colour)


def test_the_icons_are_real_pngs_of_their_size_for_both_purposes(manifest):
    pngs = {(i["sizes"], i["purpose"]) for i in manifest["icons"] if i["type"] == "image/png"}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= pngs
    for icon in manifest["icons"]:
        path = _static_file(icon["src"])
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            with Image.open(path) as img:
                assert img.format == "PNG" and img.size == (width, height), icon["src"]
        else:
            assert icon["type"] == "image/svg+xml" and icon["sizes"] == "any"
    assert {i["purpose"] for i in manifest["icons"] if i["type"] == "image/svg+xml"} == {"any", "maskable"}


def test_a_maskable_icon_fills_its_square(manifest):
    # maskable: the launcher crops to a circle or a squircle, so the corners must be painted
    src = next(i["src"] for i in manifest["icons"] if i["purpose"] == "maskable" and i["sizes"] == "512x512")
    with Image.open(_static_file(src)) as img:
        corner = img.convert("RGB").getpixel((2, 2))
    assert corner == (0x4A, 0x23, 0x77)


def test_the_shortcuts_open_the_report_form_and_the_sos(manifest, client):
    shortcuts = {s["name"]: s["url"] for s in manifest["shortcuts"]}
    assert shortcuts == {"Gửi phản ánh": "/reports/new/", "SOS": "/sos/"}
    assert client.get("/sos/").status_code == 200


def test_the_worker_names_its_cache_by_the_shell_files(client, monkeypatch, tmp_path):
    body = client.get("/sw.js")
    assert body.status_code == 200 and body["Content-Type"].startswith("text/javascript")
    assert body["Cache-Control"] == "no-cache"
    text = body.content.decode()
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', text).group(1)
    assert version == views.shell_version()
    changed = tmp_path / "app.css"
    changed.write_text("body{}")
    real = finders.find
    monkeypatch.setattr(finders, "find", lambda path, **kw: str(changed) if path == "opencity/app.css" else real(path, **kw))
    views.shell_version.cache_clear()
    try:
        assert views.shell_version() != version  # a deploy that changes a shell file: a new cache
    finally:
        views.shell_version.cache_clear()


def test_the_worker_precaches_the_shell_and_keeps_only_the_shell_pages(client):
    text = client.get("/sw.js").content.decode()
    files = json.loads(re.search(r"const SHELL_FILES = \[OFFLINE, (.*)\];", text).group(1).join("[]"))
    for name in ("opencity/app.css", "opencity/app.js", "opencity/outbox.js", "vendor/htmx/htmx.min.js",
                 "opencity/icon.svg", "opencity/icon-192.png"):
        assert static(name) in files
    for url in files:
        assert client.get(url).status_code == 200, url  # addAll fails on any missing file
    pages = json.loads(re.search(r"const SHELL_PAGES = (\[.*\]);", text).group(1))
    assert pages == ["/", "/reports/new/", "/sos/"]
    assert 'const OFFLINE = "/offline/"' in text


def test_the_offline_page_is_the_same_for_everyone(client, citizen):
    anonymous = client.get("/offline/")
    client.force_login(citizen)
    signed_in = client.get("/offline/")
    assert anonymous.status_code == signed_in.status_code == 200
    assert "Bạn đang ngoại tuyến…" in signed_in.content.decode()
    assert citizen.full_name not in signed_in.content.decode()
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub(b"", anonymous.content) == strip.sub(b"", signed_in.content)


def test_pages_say_who_they_are_for_without_the_account_id(client, citizen, citizen2):
    assert client.get("/").headers["X-OpenCity-Viewer"] == "anon"
    client.force_login(citizen)
    mine = client.get("/").headers["X-OpenCity-Viewer"]
    client.force_login(citizen2)
    theirs = client.get("/").headers["X-OpenCity-Viewer"]
    assert mine != theirs and "anon" not in (mine, theirs) and str(citizen.pk) != mine
    assert "X-OpenCity-Viewer" not in client.get("/manifest.webmanifest").headers
