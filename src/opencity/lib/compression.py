"""Response compression: Django's GZipMiddleware, except for server-sent events.

Gzip buffers a stream until its block fills, so an event of the IOC console's live feed
(``text/event-stream``) would wait in the compressor instead of reaching the browser; those
responses pass uncompressed. See the BREACH note beside ``MIDDLEWARE`` in settings.py.
"""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

UNCOMPRESSED_TYPES = ("text/event-stream",)


class GZipMiddleware(DjangoGZipMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(UNCOMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
