import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
# A worker whose server's main process died (kill -9) stops instead of serving on, unsupervised.
from opencity.lib.lifeline import follow_parent  # noqa: E402

follow_parent()
# Static files are answered before Django is entered (lib/staticfiles.py); the rest is Django.
from opencity.lib.staticfiles import StaticFirst  # noqa: E402

application = StaticFirst(get_wsgi_application())

# The system checks a management command would run (the console SMS backend in production…).
from opencity.startup import refuse_unsafe_start  # noqa: E402 — needs Django set up

refuse_unsafe_start()
# Everything loaded so far lives as long as the process: out of the garbage collector's sight,
# a full collection no longer walks it (it stopped every thread for ~30 ms; bench/README.md).
gc.freeze()
