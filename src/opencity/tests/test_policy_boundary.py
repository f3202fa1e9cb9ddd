"""No role is tested outside the policy package (issue #15): "who may" and "who is told" are
answered by ``opencity.policy`` alone; nor is the public-photo rule written again. This walks the product's source for a role compared,
filtered on or named, and fails on any place outside the files that define the roles."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]  # src/opencity

# a role named (Role.OPERATOR), compared (user.role == …, .role != …, .role in …), or filtered on
# (role=…, role__in=…, user__role__in=…)
ROLE_CHECK = re.compile(r"\bRole\.[A-Z_]+\b|\.role\s*(==|!=|\bin\b|\bnot in\b)|(?<![\'\"\w])role(__in)?\s*=(?!=)|__role(__in)?\s*=")

# where roles are defined, or given to people (not checked): the role codes, the user model and
# its admin, the demo data that creates its cast (demo/, each app's demo.py)
ALLOWED = {
    "roles.py", "accounts/models.py", "accounts/admin.py", "conftest.py",
}
ALLOWED_DIRS = ("policy/", "demo/", "migrations/", "tests/", "management/commands/")


# the public-photo rule written again: filtering or testing a photo's "hidden" flag to decide
# what is shown (setting it — moderation — is a service's business)
PHOTO_RULE = re.compile(r"filter\([^)]*\bis_hidden\s*=|\bnot\s+[\w.]+\.is_hidden\b|\.is_hidden\s+(or|and)\b")


def _offences(root: Path = SRC, pattern: re.Pattern = ROLE_CHECK) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in ALLOWED or path.name == "demo.py" or any(part in rel for part in ALLOWED_DIRS):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_no_role_is_checked_outside_the_policy_package():
    assert _offences() == [], "ask opencity.policy instead:\n" + "\n".join(_offences())


def test_the_public_photo_rule_is_written_once():
    """Which photos the public sees is ``policy.card_photo_q``/``visible_photo_q``/``can_view_photo``."""
    assert _offences(pattern=PHOTO_RULE) == [], "ask opencity.policy instead:\n" + "\n".join(
        _offences(pattern=PHOTO_RULE))


def test_the_walk_finds_a_role_check(tmp_path):
    """The walk is not blind: role checks in an app's view are found; an HTML role is not one."""
    app = tmp_path / "reports"
    app.mkdir()
    (app / "views.py").write_text('def v(request):\n    if request.user.role == "operator":\n        pass\n'
                                  "def w(User):\n    return User.objects.filter(role__in=HOTLINE)\n"
                                  "ICON = 'role=\"img\"'\n")
    assert [o.split(": ", 1)[0] for o in _offences(tmp_path)] == ["reports/views.py:2", "reports/views.py:5"]
    (app / "selectors.py").write_text("def s(report):\n    return report.photos.filter(kind='report', is_hidden=False)\n"
                                      "def t(p):\n    return p.kind == 'report' and not p.is_hidden\n")
    assert [o.split(": ", 1)[0] for o in _offences(tmp_path, PHOTO_RULE)] == [
        "reports/selectors.py:2", "reports/selectors.py:4"]
