"""Static files: collected once with hashed names and pre-compressed copies, served by WhiteNoise.

``manage.py collectstatic`` (``make setup`` runs it) writes every file under ``STATIC_ROOT`` with
a content hash in its name (``app.3f2a….css``) and beside it a gzip and a Brotli copy. WhiteNoise
then answers a static request from memory-mapped headers and the pre-compressed file, before the
rest of the middleware runs, and marks the hashed names ``immutable`` for a year: nothing is
compressed per request (issue 20: a static file at ≥ 3× ``/healthz``'s requests/s).

Before anything is collected — a fresh checkout running its tests, a screenshot server on a
scratch ``OPENCITY_VAR_DIR`` — ``{% static %}`` gives the plain names and WhiteNoise serves the
source files through the finders, as Django's own storage does. Production always collects
(``manage.py check --deploy`` warns when it has not: ``opencity.checks``).
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed storage that falls back to plain names when the
    manifest is missing (nothing collected into ``STATIC_ROOT`` yet).

    Only stylesheets have their references rewritten to hashed names (``url(images/…)``): the
    vendor scripts name source maps that npm's packages ship beside them and the build does not
    copy; a browser asks for one only when its developer tools are open.
    """

    patterns = tuple((glob, rules) for glob, rules in CompressedManifestStaticFilesStorage.patterns
                     if glob == "*.css")

    def collected(self) -> bool:
        return bool(self.hashed_files)

    def url(self, name, force=False):
        if not force and not self.hashed_files:
            return StaticFilesStorage.url(self, name)
        return super().url(name, force=force)


def static_collected_check(app_configs=None, **kwargs):
    """``check --deploy``: production serves the collected, pre-compressed files; without them
    every static file is read from the source tree and sent uncompressed, under plain names a
    browser cannot keep for long (issue 20)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.checks import Warning

    staticfiles_storage._setup()  # the lazy object's storage, built from STORAGES
    storage = staticfiles_storage._wrapped
    if isinstance(storage, HashedStaticFilesStorage) and not storage.collected():
        return [Warning(
            "The static files are not collected: they are served from the source tree, "
            "uncompressed and under names browsers cannot keep.",
            hint="Run `manage.py collectstatic --noinput` after every install or upgrade "
                 "(make setup does; docs/deployment.md).",
            id="opencity.W001",
        )]
    return []


class StaticFirst:
    """The WSGI application with the static files answered before Django is entered.

    WhiteNoise's middleware already answers them first in the middleware stack, but a request
    still costs Django's handler: the request object, the URL resolver's set-up, the signals.
    Here a static file costs a dictionary lookup and the file's pre-built headers; every other
    request goes to Django unchanged. The file table is the middleware's own (same settings,
    same files), built once per process.
    """

    def __init__(self, application):
        from whitenoise.middleware import WhiteNoiseMiddleware

        self.application = application
        self.static = WhiteNoiseMiddleware()

    def __call__(self, environ, start_response):
        from whitenoise.base import WhiteNoise
        from whitenoise.string_utils import decode_path_info

        if not self.static.autorefresh:  # DEBUG: the middleware finds new files on each request
            found = self.static.files.get(decode_path_info(environ.get("PATH_INFO", "")))
            if found is not None:
                return WhiteNoise.serve(found, environ, start_response)
        return self.application(environ, start_response)
