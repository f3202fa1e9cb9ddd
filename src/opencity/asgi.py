import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
application = get_asgi_application()
gc.freeze()  # as in wsgi.py: what lives as long as the process is left out of every collection
