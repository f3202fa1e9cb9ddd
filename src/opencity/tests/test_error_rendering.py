"""Errors have one renderer (issue #15): ``opencity.errors`` maps a raised DomainError to a page,
an htmx fragment or a redirect back; views raise. This walks the product's source and fails on a
view that renders the error templates itself."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]  # src/opencity

ERROR_TEMPLATE = re.compile(r"""["'](partials/)?error\.html["']""")
ALLOWED = {"errors.py"}


def _offences(root: Path = SRC) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in ALLOWED or "/tests/" in f"/{rel}":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ERROR_TEMPLATE.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_only_the_error_module_renders_the_error_templates():
    assert _offences() == []


def test_the_walk_finds_a_view_that_renders_one(tmp_path):
    app = tmp_path / "someapp"
    app.mkdir()
    (app / "views.py").write_text('def v(request, exc):\n    return render(request, "error.html", {})\n')
    assert _offences(tmp_path) == ['someapp/views.py:2: return render(request, "error.html", {})']
