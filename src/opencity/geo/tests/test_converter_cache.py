"""The address converter's tables kept on disk between starts (geo/converter_cache.py)."""

from __future__ import annotations

from vietnam_address_converter import text

from opencity.geo import converter_cache
from opencity.geo.selectors import _converter


def test_kept_tables_give_a_working_converter(tmp_path):
    _converter()  # the tables this process built (or loaded) once
    path = tmp_path / "tables.pickle"
    converter_cache.save(tuple(getattr(text, name)() for name in converter_cache._TABLES), path)
    loaded = converter_cache.load(path)
    assert loaded is not None
    assert converter_cache._ward(loaded, "10 Lê Lợi, phường Vĩnh Ninh, Thành phố Huế") == "Phường Thuận Hóa"


def test_missing_or_broken_tables_are_ignored(tmp_path):
    assert converter_cache.load(tmp_path / "none.pickle") is None
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"not a pickle")
    assert converter_cache.load(broken) is None
    _converter()
    assert text._text_candidate_index()  # the library's own tables are still in place
