"""scripts/audit_deps.py: the offline audit of pinned packages against an OSV export (#13, 10)."""

from __future__ import annotations

import json
import zipfile

import pytest
from scripts import audit_deps


def _advisory(id_, ecosystem, name, events=None, versions=None, **extra):
    return {
        "id": id_, "summary": f"{name} is vulnerable", "aliases": [f"CVE-{id_}"],
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "ECOSYSTEM" if ecosystem == "PyPI" else "SEMVER", "events": events or []}],
            "versions": versions or [],
        }],
        **extra,
    }


@pytest.fixture
def project(tmp_path):
    (tmp_path / "requirements.txt").write_text("Django==5.2.19\npillow==13.0.0  # images\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest==9.2.0\n")
    (tmp_path / "package-lock.json").write_text(json.dumps({"packages": {
        "": {"name": "opencity"},
        "node_modules/leaflet": {"version": "1.9.4"},
        "node_modules/htmx.org": {"version": "2.0.0-beta.2"},
    }}))
    return tmp_path


def _run(project, db, capsys):
    code = audit_deps.main([
        "--db", str(db), "--requirements", str(project / "requirements-dev.txt"),
        "--lockfile", str(project / "package-lock.json"),
    ])
    return code, capsys.readouterr().out


def test_it_finds_pinned_versions_inside_a_range_in_a_zip_export(project, tmp_path, capsys):
    db = tmp_path / "all.zip"
    with zipfile.ZipFile(db, "w") as archive:
        archive.writestr("A.json", json.dumps(_advisory("A", "PyPI", "django", [{"introduced": "5.2"}, {"fixed": "5.2.20"}])))
        archive.writestr("B.json", json.dumps(_advisory("B", "PyPI", "Pillow", [{"introduced": "0"}, {"fixed": "12.0"}])))
        archive.writestr("C.json", json.dumps(_advisory("C", "npm", "leaflet", [{"introduced": "0"}, {"last_affected": "1.9.4"}])))
        archive.writestr("D.json", json.dumps(_advisory("D", "npm", "htmx.org", [{"introduced": "2.0.0"}])))
    code, out = _run(project, db, capsys)
    assert code == 1
    assert "django==5.2.19" in out and "CVE-A" in out and "5.2.20" in out
    assert "leaflet==1.9.4" in out  # last_affected is inclusive
    assert "pillow" not in out  # fixed before our pin
    assert "htmx.org" not in out  # a pre-release sorts before 2.0.0
    assert "2 vulnerable" in out


def test_an_explicit_version_list_and_a_withdrawn_advisory(project, tmp_path, capsys):
    db = tmp_path / "advisories"
    db.mkdir()
    (db / "E.json").write_text(json.dumps(_advisory("E", "PyPI", "pytest", versions=["9.2.0"])))
    (db / "F.json").write_text(json.dumps(
        _advisory("F", "PyPI", "pillow", versions=["13.0.0"], withdrawn="2026-01-01T00:00:00Z")
    ))
    code, out = _run(project, db, capsys)
    assert code == 1 and "pytest==9.2.0" in out and "pillow" not in out


def test_a_clean_project_exits_0(project, tmp_path, capsys):
    db = tmp_path / "one.json"
    db.write_text(json.dumps(_advisory("G", "PyPI", "django", [{"introduced": "0"}, {"fixed": "4.2"}])))
    code, out = _run(project, db, capsys)
    assert code == 0 and "no known vulnerabilities" in out


def test_a_loose_pin_or_a_missing_database_is_refused(project, tmp_path, capsys):
    (project / "requirements.txt").write_text("Django>=5\n")
    assert audit_deps.main(["--db", str(tmp_path / "missing.zip"), "--requirements",
                            str(project / "requirements.txt")]) == 2


def test_the_repository_pins_are_all_exact():
    pins = audit_deps.python_pins(audit_deps.ROOT / "requirements-dev.txt")
    names = {p.name for p in pins}
    assert {"django", "django-ninja", "pillow", "packaging"} <= names
    assert audit_deps.npm_pins(audit_deps.ROOT / "package-lock.json")
