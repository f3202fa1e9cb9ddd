"""The dossier cast: the ward's People's Committee of Phú Xuân (``ward_unit``) and the city's
urban-works company (``urban_works``) as agencies, and rows as the one-stop system sends them."""

from __future__ import annotations

import datetime as dt

import pytest

from opencity.dossiers.services import dossiers_import
from opencity.lib.worktime import TZ

HEADER = ("MaHoSo,MaTTHC,TenTTHC,ChuHoSo,SoDienThoai,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,TrangThaiHoSo,"
          "DonViXuLy,PhuongXa")


def at(day: int, month: int = 11, year: int = 2026, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def row(code: str = "H57.01-261102-0001", *, status: str = "2", unit: str = "ubnd-phu-xuan",
        received: str = "02/11/2026 08:00", due: str = "05/11/2026 17:00", finished: str = "",
        phone: str = "0905123456", ward: str = "", procedure: str = "Đăng ký khai sinh") -> dict:
    return {"MaHoSo": code, "MaTTHC": "1.001193", "TenTTHC": procedure, "ChuHoSo": "Trần Thị Lan",
            "SoDienThoai": phone, "NgayTiepNhan": received, "NgayHenTra": due, "NgayKetThucXuLy": finished,
            "TrangThaiHoSo": status, "DonViXuLy": unit, "PhuongXa": ward}


def csv_text(*rows: dict, header: str = HEADER) -> bytes:
    names = header.split(",")
    lines = [header] + [",".join(r.get(n, "") for n in names) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def load(ward_unit, urban_works):
    """Import rows (line numbers from 2, as in a file under its header)."""

    def do(*rows: dict, **kwargs):
        return dossiers_import(rows=list(enumerate(rows, start=2)), **kwargs)

    return do
