"""Issue #20, documented deployment: the example configuration in docs/deploy/ agrees with the
app it fronts (the settings, the URLs, scripts/run.sh), so a change to one shows in the other.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve, reverse

DEPLOY = Path(settings.BASE_DIR) / "docs" / "deploy"


def _nginx() -> str:
    text = (DEPLOY / "nginx.conf").read_text()
    return re.sub(r"#[^\n]*", "", text)


def _https_server() -> str:
    servers = re.split(r"\bserver\s*\{", _nginx())
    (https,) = [s for s in servers if re.search(r"listen\s+443\b", s)]
    return https


def _locations() -> dict[str, str]:
    """Each location of the HTTPS server: its path (modifier dropped) → its body."""
    found = {}
    for match in re.finditer(r"location\s+(?:=\s*)?(\S+)\s*\{([^}]*)\}", _https_server()):
        found[match.group(1)] = match.group(2)
    return found


def _directive(body: str, name: str) -> str | None:
    match = re.search(rf"(?<![\w_]){name}\s+([^;]+);", body)
    return match.group(1).strip() if match else None


def _size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()
    return int(number) * (60 if unit == "m" else 1)


def _location_for(path: str) -> str:
    """The prefix location nginx picks for ``path``: the longest one that matches."""
    return max((p for p in _locations() if path.startswith(p)), key=len)


def _upstream_port(name: str) -> int:
    body = re.search(rf"upstream\s+{name}\s*\{{([^}}]*)\}}", _nginx()).group(1)
    return int(re.search(r"server\s+[\d.]+:(\d+)", body).group(1))


def _exec_start(unit: str) -> list[str]:
    text = (DEPLOY / unit).read_text().replace("\\\n", " ")
    return shlex.split(re.search(r"^ExecStart=(.+)$", text, re.M).group(1))


def test_the_proxy_lets_through_every_body_the_app_accepts_and_no_far_larger_one():
    limit = _size(_directive(_https_server(), "client_max_body_size"))
    assert limit >= settings.OPENCITY_UPLOAD_MAX_BYTES  # the app answers its own 413 below this
    assert limit <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_live_stream_goes_unbuffered_to_the_asgi_process():
    live = reverse("ioc:live")
    prefix = _location_for(live)
    body = _locations()[prefix]
    assert prefix != "/" and _directive(body, "proxy_pass") == "http://opencity_live"
    assert _directive(body, "proxy_buffering") == "off"
    assert _seconds(_directive(body, "proxy_read_timeout")) > 2 * settings.OPENCITY_LIVE_STREAM_SECONDS
    # nothing but the stream is sent there (the ASGI process is sized for streams only)
    for path in ("/ioc/", "/ioc/console/", "/statistics/", "/api/v1/reports"):
        assert _location_for(path) != prefix
    assert resolve(live).url_name == "live"


def test_the_upstreams_are_the_processes_the_units_start():
    web, live = _exec_start("opencity-web.service"), _exec_start("opencity-live.service")
    assert web[web.index("--interface") + 1] == "wsgi" and web[-1] == "opencity.wsgi:application"
    assert live[live.index("--interface") + 1] == "asgi" and live[-1] == "opencity.asgi:application"
    assert int(web[web.index("--port") + 1]) == _upstream_port("opencity_web")
    assert int(live[live.index("--port") + 1]) == _upstream_port("opencity_live")
    assert _location_for("/") == "/" and _directive(_locations()["/"], "proxy_pass") == "http://opencity_web"


def test_the_web_unit_starts_granian_with_every_flag_scripts_run_sh_uses():
    run_sh = (Path(settings.BASE_DIR) / "scripts" / "run.sh").read_text().replace("\\\n", " ")
    granian_line = next(line for line in run_sh.splitlines() if "granian --interface wsgi" in line)
    flags = set(re.findall(r"(--[a-z-]+)", granian_line))
    assert flags >= {"--interface", "--workers", "--blocking-threads", "--workers-kill-timeout"}
    assert flags <= set(_exec_start("opencity-web.service"))


def test_the_worker_units_run_commands_that_exist_and_stop_as_run_sh_stops_them():
    commands = get_commands()
    for unit, command, signal in (("opencity-worker.service", "run_huey", "SIGINT"),
                                  ("opencity-mqtt.service", "mqtt_ingest", "SIGTERM")):
        argv = _exec_start(unit)
        assert argv[1:3] == ["manage.py", command] and command in commands
        assert re.search(rf"^KillSignal={signal}$", (DEPLOY / unit).read_text(), re.M)


def test_the_proxy_sets_the_https_header_the_production_settings_trust():
    from opencity.tests.test_security_ops import PRODUCTION

    header = PRODUCTION["OPENCITY_PROXY_SSL_HEADER"].split(":")[0]
    sets = re.findall(r"proxy_set_header\s+(\S+)\s+([^;]+);", _https_server())
    assert (header, "$scheme") in sets  # always set by the proxy, never the client's own


@pytest.mark.parametrize("field", ["reports.Photo.image", "reports.Photo.original", "emergency.RescuePhoto.image",
                                   "ioc.DigitalReport.file"])
def test_the_proxy_never_serves_private_uploads_from_disk(field):
    from django.apps import apps

    app, model, name = field.split(".")
    upload_to = apps.get_model(app, model)._meta.get_field(name).upload_to
    top = upload_to(SimpleNamespace(month=dt.date(2026, 12, 1)), "x.jpg") if callable(upload_to) else upload_to
    path = f"{settings.MEDIA_URL}{top.split('/')[0]}/2026/12/x.jpg"
    body = _locations()[_location_for(path)]
    assert _directive(body, "return") == "404" and _directive(body, "alias") is None


def test_only_the_news_images_are_served_from_disk():
    from opencity.catalog.models import NewsItem

    public = f"{settings.MEDIA_URL}{NewsItem._meta.get_field('image').upload_to.split('/')[0]}/"
    served = {p for p, body in _locations().items() if _directive(body, "alias")}
    assert served == {public}
    assert _directive(_locations()[public], "alias").rstrip("/").endswith("media/news")


def _self_signed(tmp_path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "opencity.hue.gov.vn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_example_configuration(tmp_path):
    cert, key = _self_signed(tmp_path)
    site = (DEPLOY / "nginx.conf").read_text()
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "tmp"
    (tmp_path / "logs").mkdir()
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/logs/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {temp}; proxy_temp_path {temp}; "
        f"fastcgi_temp_path {temp}; uwsgi_temp_path {temp}; scgi_temp_path {temp}; "
        f"include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "main.conf")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
