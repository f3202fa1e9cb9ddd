import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
# A worker whose server's main process died (kill -9) stops instead of serving on, unsupervised.
from opencity.lib.lifeline import follow_parent  # noqa: E402

follow_parent()
django_application = get_asgi_application()

# The system checks a management command would run (the console SMS backend in production…).
from opencity.startup import refuse_unsafe_start  # noqa: E402 — needs Django set up

refuse_unsafe_start()
# Django's ASGI handler spools the whole body before any middleware runs: cap it on the way in.
from opencity.lib.uploads import BodySizeLimitASGI  # noqa: E402 — needs Django set up

application = BodySizeLimitASGI(django_application)
gc.freeze()  # as in wsgi.py: what lives as long as the process is left out of every collection
