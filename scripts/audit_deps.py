#!/usr/bin/env python3
"""Audit the pinned Python and npm packages against a vulnerability database file, offline.

The database is OSV's (https://osv.dev) per-ecosystem export: ``PyPI/all.zip`` and
``npm/all.zip``, each a zip of one JSON advisory per file. Download them on any machine that
reaches the internet, carry them over, and run::

    python scripts/audit_deps.py --db PyPI-all.zip --db npm-all.zip

(``make audit OSV_DB="PyPI-all.zip npm-all.zip"``). A directory of advisory JSON files works too.
It reads the exact pins of ``requirements*.txt`` (following ``-r``) and every package of
``package-lock.json``, prints each advisory that affects a pinned version with the versions that
fix it, and exits 1 if there is any (0 when clean, 2 on bad input). docs/contributing.md says when
to run it and how updates are taken.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Pin:
    ecosystem: str  # "PyPI" or "npm"
    name: str
    version: str
    source: str


@dataclass(frozen=True)
class Finding:
    pin: Pin
    advisory: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]


def normalise(ecosystem: str, name: str) -> str:
    if ecosystem == "PyPI":  # PEP 503
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


# --- pins ---------------------------------------------------------------------------------

def python_pins(path: Path, seen: set[Path] | None = None) -> list[Pin]:
    seen = seen if seen is not None else set()
    if path in seen:
        return []
    seen.add(path)
    pins: list[Pin] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            pins += python_pins(path.parent / line.split(None, 1)[1], seen)
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)(\s*;.*)?", line)
        if not match:
            raise ValueError(f"{path.name}: not an exact pin: {line!r}")
        pins.append(Pin("PyPI", normalise("PyPI", match.group(1)), match.group(3), path.name))
    return pins


def npm_pins(path: Path) -> list[Pin]:
    lock = json.loads(path.read_text())
    pins = []
    for key, info in (lock.get("packages") or {}).items():
        if not key or "version" not in info or info.get("link"):
            continue
        name = info.get("name") or key.rsplit("node_modules/", 1)[-1]
        pins.append(Pin("npm", name, info["version"], path.name))
    return sorted(set(pins), key=lambda p: (p.name, p.version))


# --- advisories ---------------------------------------------------------------------------

def advisories(sources: list[Path]) -> Iterator[dict]:
    for source in sources:
        if source.is_dir():
            for file in sorted(source.rglob("*.json")):
                yield json.loads(file.read_text())
        elif zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                for name in archive.namelist():
                    if name.endswith(".json"):
                        yield json.loads(archive.read(name))
        else:
            data = json.loads(source.read_text())
            yield from data if isinstance(data, list) else [data]


_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def _semver_key(version: str):
    """SemVer 2.0 precedence: a pre-release sorts before its release; identifiers compare
    numerically when numeric, else as text, numeric before text."""
    match = _SEMVER.match(version.strip())
    if not match:
        raise ValueError(version)
    major, minor, patch, pre = match.groups()
    if pre is None:
        pre_key: tuple = (1,)
    else:
        parts = []
        for ident in pre.split("."):
            parts.append((0, int(ident), "") if ident.isdigit() else (1, 0, ident))
        pre_key = (0, tuple(parts))
    return (int(major), int(minor), int(patch), pre_key)


def version_key(ecosystem: str, version: str):
    if ecosystem == "PyPI":
        return Version(version)
    return _semver_key(version)


def _in_range(ecosystem: str, version: str, events: list[dict]) -> bool:
    """OSV range semantics: the version is affected if, walking the events in order, the last
    boundary at or below it is an ``introduced`` (``fixed``/``limit`` exclusive,
    ``last_affected`` inclusive)."""
    key = version_key(ecosystem, version)
    affected = False
    bounds = []
    for event in events:
        kind, value = next(iter(event.items()))
        if kind == "introduced" and value == "0":
            bounds.append((None, kind))
        else:
            try:
                bounds.append((version_key(ecosystem, value), kind))
            except (InvalidVersion, ValueError):
                continue
    bounds.sort(key=lambda b: (b[0] is not None, b[0] if b[0] is not None else 0))
    for bound, kind in bounds:
        if kind == "introduced":
            if bound is None or key >= bound:
                affected = True
        elif kind in ("fixed", "limit"):
            if key >= bound:
                affected = False
        elif kind == "last_affected":
            if key > bound:
                affected = False
    return affected


def affects(entry: dict, pin: Pin) -> bool:
    package = entry.get("package") or {}
    if package.get("ecosystem") != pin.ecosystem or normalise(pin.ecosystem, package.get("name", "")) != pin.name:
        return False
    if pin.version in (entry.get("versions") or []):
        return True
    for rng in entry.get("ranges") or []:
        if rng.get("type") in ("ECOSYSTEM", "SEMVER"):
            try:
                if _in_range(pin.ecosystem, pin.version, rng.get("events") or []):
                    return True
            except (InvalidVersion, ValueError):
                continue
    return False


def audit(pins: list[Pin], sources: list[Path]) -> tuple[list[Finding], int]:
    by_name: dict[tuple[str, str], list[Pin]] = {}
    for pin in pins:
        by_name.setdefault((pin.ecosystem, pin.name), []).append(pin)
    findings: list[Finding] = []
    count = 0
    for advisory in advisories(sources):
        count += 1
        if advisory.get("withdrawn"):
            continue
        for entry in advisory.get("affected") or []:
            package = entry.get("package") or {}
            eco = package.get("ecosystem", "")
            for pin in by_name.get((eco, normalise(eco, package.get("name", ""))), []):
                if affects(entry, pin):
                    fixed = tuple(
                        next(iter(e.values()))
                        for r in entry.get("ranges") or []
                        for e in r.get("events") or []
                        if "fixed" in e
                    )
                    findings.append(Finding(
                        pin, advisory.get("id", "?"), tuple(advisory.get("aliases") or ()),
                        (advisory.get("summary") or advisory.get("details") or "")[:120], fixed,
                    ))
    unique = {(f.pin, f.advisory): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.pin.ecosystem, f.pin.name, f.advisory)), count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", required=True, type=Path,
                        help="an OSV export (zip, directory or JSON file); repeat for each ecosystem")
    parser.add_argument("--requirements", action="append", type=Path,
                        help="requirements files (default: requirements-dev.txt, which includes requirements.txt)")
    parser.add_argument("--lockfile", type=Path, default=ROOT / "package-lock.json")
    args = parser.parse_args(argv)
    try:
        pins: list[Pin] = []
        for req in args.requirements or [ROOT / "requirements-dev.txt"]:
            pins += python_pins(req)
        if args.lockfile and args.lockfile.exists():
            pins += npm_pins(args.lockfile)
        for source in args.db:
            if not source.exists():
                raise FileNotFoundError(f"no database at {source}")
        findings, count = audit(pins, args.db)
    except (ValueError, FileNotFoundError, json.JSONDecodeError, zipfile.BadZipFile) as exc:
        print(f"audit_deps: {exc}", file=sys.stderr)
        return 2
    if count == 0:
        print("audit_deps: the database holds no advisories", file=sys.stderr)
        return 2
    print(f"{len(pins)} pinned packages checked against {count} advisories")
    for f in findings:
        ids = ", ".join((f.advisory, *f.aliases))
        fix = ", ".join(f.fixed) or "no fixed version yet"
        print(f"  {f.pin.ecosystem} {f.pin.name}=={f.pin.version} ({f.pin.source}): {ids} — {f.summary} [fixed in: {fix}]")
    print(f"{len(findings)} vulnerable" if findings else "no known vulnerabilities")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
