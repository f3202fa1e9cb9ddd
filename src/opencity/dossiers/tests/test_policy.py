"""Who sees the dossier figures and lists, who imports (``policy/dossiers.py``)."""

from __future__ import annotations

import pytest

from opencity import policy
from opencity.dossiers.models import Dossier

from .conftest import row


@pytest.fixture
def two(load):
    load(row("E-0001"), row("E-0002", unit="hepco", ward="Phường Thuận Hóa"))


@pytest.mark.parametrize(("who", "codes"), [
    ("leader", {"E-0001", "E-0002"}),
    ("operator", {"E-0001", "E-0002"}),
    ("admin_user", {"E-0001", "E-0002"}),
    ("officer", {"E-0002"}),
    ("ward_official", {"E-0001"}),
    ("citizen", set()),
    ("hotline", set()),
])
def test_each_role_sees_its_dossiers(request, two, who, codes):
    user = request.getfixturevalue(who)
    seen = set(Dossier.objects.filter(policy.dossier_scope_q(user)).values_list("code", flat=True))
    assert seen == codes
    assert policy.can_view_dossier_figures(user) is bool(codes)


@pytest.mark.parametrize(("who", "may"), [("operator", True), ("admin_user", True), ("leader", False),
                                           ("officer", False), ("citizen", False)])
def test_only_the_ioc_imports(request, db, who, may):
    assert policy.can_import_dossiers(request.getfixturevalue(who)) is may


def test_the_navigation_offers_the_dossiers_to_those_who_may_see_them(leader, citizen):
    assert policy.navigation(leader)["dossiers"] is True
    assert policy.navigation(citizen)["dossiers"] is False
