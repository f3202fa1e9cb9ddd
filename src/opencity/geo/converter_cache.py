"""The address converter's tables, kept on disk between server starts.

``vietnam_address_converter`` builds its lookup tables from its country-wide data on first use:
about 15 s of a core. A web process that built them at every start (``OPENCITY_WARM_ADDRESSES``)
answered 2–4 times slower for the first 20–60 s after a restart, holding the interpreter lock
against every request (issue #13, crash safety 5). The built tables are plain lists and dicts:
pickled once into ``VAR_DIR/cache/`` (about 7 MB), they load in about 0.2 s.

The file is keyed by the library's version and Python's; one that cannot be read, or that gives
a wrong answer to a known address, is ignored and the tables are built as before. It is written
by this application into its own data directory (next to ``secret_key``), which is why loading
a pickle from there is acceptable: whoever can write there can already change the application.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# The library's tables, built on first use and cached by these functions of its ``text`` module.
_TABLES = ("_text_candidates", "_text_candidate_index", "_new_text_candidates", "_new_text_candidate_index")
# A known address and the ward it is in today: the check that loaded tables work.
PROBE = ("Kiệt 32 Lê Văn Hưu, phường Thuận Lộc, Thành phố Huế", "Phường Phú Xuân")


def cache_path() -> Path:
    name = (f"address-converter-{version('vietnam-address-converter')}"
            f"-py{sys.version_info.major}{sys.version_info.minor}.pickle")
    return Path(settings.VAR_DIR) / "cache" / name


def _ward(converter, text: str) -> str:
    result = converter.auto_convert_address(text) or {}
    return ((result.get("converted_new") or {}).get("ward") or {}).get("name_with_type") or ""


def _from_tables(tables: tuple):
    """A converter that uses ``tables`` instead of building them (the library's own default
    data, as ``create_converter()`` would)."""
    from vietnam_address_converter import converter as module
    from vietnam_address_converter import text

    for name, value in zip(_TABLES, tables, strict=True):
        setattr(text, name, lambda value=value: value)
    instance = module.VietnamAdministrativeAddressConverter.__new__(module.VietnamAdministrativeAddressConverter)
    instance.data = module.DEFAULT_DATA
    instance.indexes = {key: instance.data.get(key, {}) for key in
                        ("oldProvinces", "oldDistricts", "oldWards", "newProvinces", "newWards")}
    instance._text_candidates, instance._new_text_candidates = tables[0], tables[2]
    return instance


def load(path: Path | None = None):
    """The converter from the tables on disk, or None (no file, or one that does not work)."""
    from vietnam_address_converter import text

    path = path or cache_path()
    originals = {name: getattr(text, name) for name in _TABLES}
    try:
        tables = pickle.loads(path.read_bytes())
        converter = _from_tables(tables)
        if _ward(converter, PROBE[0]) != PROBE[1]:
            raise ValueError("the probe address gave another ward")
    except FileNotFoundError:
        return None
    except Exception:
        logger.warning("address converter tables in %s not used", path, exc_info=True)
        for name, function in originals.items():  # the library builds its own again
            setattr(text, name, function)
        return None
    return converter


def build(path: Path | None = None):
    """Build the converter the slow way and keep its tables on disk for the next start."""
    from vietnam_address_converter import create_converter, text

    converter = create_converter()
    _ward(converter, PROBE[0])  # builds the module's tables
    save(tuple(getattr(text, name)() for name in _TABLES), path)
    return converter


def save(tables: tuple, path: Path | None = None) -> None:
    path = path or cache_path()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(tables, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)  # whole or not at all, whichever process writes last
    except OSError:
        logger.warning("could not keep the address converter's tables in %s", path, exc_info=True)
        if tmp is not None:
            Path(tmp.name).unlink(missing_ok=True)


def converter():
    """The converter: from the tables on disk when they work, else built (and then kept)."""
    return load() or build()
