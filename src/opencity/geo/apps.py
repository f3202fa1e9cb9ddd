import gc
import os
import threading

from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "opencity.geo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The address converter needs its tables (~0.3 s from the copy kept in VAR_DIR/cache by
        # an earlier start, ~15 s of a core to build): the server loads them in the background
        # so the first citizen typing an old ward name does not wait (geo/converter_cache.py).
        if _warming():
            threading.Thread(target=_warm_up, name="warm-addresses", daemon=True).start()


_warm = threading.Event()


def _warming() -> bool:
    return os.environ.get("OPENCITY_WARM_ADDRESSES") == "True"


def warmed() -> bool:
    """Whether this process is done warming up (always, when it does not warm up)."""
    return _warm.is_set() or not _warming()


def _warm_up() -> None:
    from .selectors import warm_up

    try:
        warm_up()
        # The tables stay for the life of the process: a full garbage collection walking them
        # took ~50 ms (every thread stopped); frozen, they are left out.
        gc.freeze()
    finally:
        _warm.set()
