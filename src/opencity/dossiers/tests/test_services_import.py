from __future__ import annotations

import pytest

from opencity.dossiers.models import Dossier, DossierStep, ImportRun
from opencity.dossiers.services import agency_alias_set, dossiers_import_csv, read_csv
from opencity.errors import ValidationError

from .conftest import HEADER, at, csv_text, row


def test_it_creates_a_dossier_with_its_first_status(load, ward_unit, phu_xuan):
    result = load(row())
    assert (result.created, result.changed, result.unchanged, result.errors) == (1, 0, 0, [])
    d = Dossier.objects.get(code="H57.01-261102-0001")
    assert d.unit == ward_unit and d.area == phu_xuan  # a ward unit's dossier is in its ward
    assert d.received_at == at(2, hour=8) and d.due_at == at(5, hour=17)
    assert d.owner_phone == "+84905123456"
    assert [(s.from_status, s.to_status) for s in d.steps.all()] == [("", "2")]
    assert d.steps.get().given_at == at(2, hour=8)


def test_the_same_rows_twice_create_and_change_nothing(load):
    load(row(), row("H57.01-261102-0002"))
    again = load(row(), row("H57.01-261102-0002"))
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert Dossier.objects.count() == 2 and DossierStep.objects.count() == 2


def test_a_new_status_is_one_step_of_history(load):
    load(row())
    result = load(row(status="9", finished="04/11/2026 10:00"))
    assert result.changed == 1
    d = Dossier.objects.get()
    assert d.status == "9" and d.finished_at == at(4, hour=10)
    steps = list(d.steps.order_by("id"))
    assert [(s.from_status, s.to_status) for s in steps] == [("", "2"), ("2", "9")]
    assert steps[1].given_at == at(4, hour=10)


def test_a_changed_field_without_a_new_status_is_stored_without_a_step(load):
    load(row())
    result = load(row(due="06/11/2026 17:00"))
    assert result.changed == 1
    assert Dossier.objects.get().due_at == at(6, hour=17)
    assert DossierStep.objects.count() == 1


def test_an_agency_may_be_named_by_an_alias(load, urban_works):
    agency_alias_set(alias="Công ty Môi trường đô thị", unit=urban_works)
    load(row(unit="công ty môi trường đô thị", ward="Phường Thuận Hóa"))
    d = Dossier.objects.get()
    assert d.unit == urban_works and d.area.name == "Phường Thuận Hóa"


@pytest.mark.parametrize(("fields", "english"), [
    ({"unit": "so-khong-co"}, "is not one of the city's units"),
    ({"received": "31/02/2026"}, "is not a date"),
    ({"status": "11"}, "is not a known status code"),
    ({"due": "01/11/2026 08:00"}, "NgayHenTra is before NgayTiepNhan"),
    ({"status": "9"}, "needs NgayKetThucXuLy"),
    ({"phone": "12345"}, "is not a Vietnamese phone number"),
    ({"ward": "Phường Không Có"}, "is not a ward or commune"),
])
def test_a_bad_row_is_refused_with_its_line_and_the_rest_imported(load, fields, english):
    result = load(row("H57.01-261102-0001"), row("H57.01-261102-0002", **fields), row("H57.01-261102-0003"))
    assert result.created == 2
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.line == 3 and error.code == "H57.01-261102-0002"
    assert english in error.en
    assert error.vi and error.vi != error.en
    assert not Dossier.objects.filter(code="H57.01-261102-0002").exists()  # nothing half-stored


def test_an_unknown_agency_creates_no_unit(load):
    from opencity.orgs.models import Unit

    before = Unit.objects.count()
    load(row(unit="UBND phường Mới"))
    assert Unit.objects.count() == before


def test_a_file_with_a_wrong_header_is_refused_whole(ward_unit):
    with pytest.raises(ValidationError) as exc:
        read_csv(csv_text(row(), header=HEADER.replace("MaHoSo", "Ma_Ho_So")))
    assert "MaHoSo" in exc.value.message
    assert not ImportRun.objects.exists()


def test_a_csv_import_is_recorded_with_its_errors(ward_unit, operator):
    data = csv_text(row(), row("H57.01-261102-0002", status="99"))
    run, result = dossiers_import_csv(data=data, name="mot-cua.csv", actor=operator)
    run.refresh_from_db()
    assert (run.created, len(run.errors), run.status) == (1, 1, "done")
    assert run.errors[0]["line"] == 3 and run.actor == operator


def test_semicolons_and_a_bom_are_read(ward_unit):
    text = "\ufeff" + csv_text(row()).decode().replace(",", ";")
    rows = read_csv(text.encode())
    assert rows[0][0] == 2 and rows[0][1]["MaHoSo"] == "H57.01-261102-0001"


def test_the_shipped_sample_imports_cleanly(db, ward_unit, urban_works):
    from pathlib import Path

    from opencity.demo.pack import UNITS
    from opencity.geo.models import Area
    from opencity.orgs.models import Unit

    for u in UNITS:  # the demo pack's agencies, which the sample names
        area = Area.objects.get(name=u.ward) if u.ward else ward_unit.area.parent
        Unit.objects.get_or_create(code=u.code, defaults={"name": u.name, "area": area,
                                                          "level": "ward" if u.ward else "city"})
    sample = Path(__file__).resolve().parents[1] / "samples" / "dossiers.csv"
    agency_alias_set(alias="Sở Xây dựng", unit=Unit.objects.get(code="so-xay-dung"))
    _run, result = dossiers_import_csv(data=sample.read_bytes(), name=sample.name)
    assert result.errors == [] and result.created >= 10
    _run, again = dossiers_import_csv(data=sample.read_bytes(), name=sample.name)
    assert again.created == again.changed == 0


def test_the_command_imports_a_file_and_refuses_a_wrong_header(ward_unit, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    good = tmp_path / "mot-cua.csv"
    good.write_bytes(csv_text(row(), row("H57.01-261102-0002", due="01/11/2026 08:00")))
    out, err = StringIO(), StringIO()
    call_command("import_dossiers", str(good), stdout=out, stderr=err)
    assert out.getvalue().startswith("1 new, 0 changed, 0 unchanged, 1 refused")
    assert "line 3 H57.01-261102-0002" in err.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"x,y\n1,2\n")
    with pytest.raises(CommandError, match="MaHoSo"):
        call_command("import_dossiers", str(bad))
