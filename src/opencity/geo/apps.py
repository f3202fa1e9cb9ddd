import os
import threading

from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "opencity.geo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The address converter takes ~20 s to load its tables: the server warms it in the
        # background so the first citizen typing an old ward name does not wait.
        if os.environ.get("OPENCITY_WARM_ADDRESSES") == "True":
            from .selectors import warm_up

            threading.Thread(target=warm_up, name="warm-addresses", daemon=True).start()
