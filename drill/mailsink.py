"""An e-mail backend for `make drill`: Django's file backend writing into ``DRILL_MAIL_DIR``.

The drill counts the e-mails the worker sent (issue #13: none may be lost to a crash). Django's
``filebased.EmailBackend`` takes its directory from ``EMAIL_FILE_PATH``, which OpenCity's settings
do not read from the environment; this subclass reads it from ``DRILL_MAIL_DIR`` instead. Used
only by the drill (``OPENCITY_EMAIL_BACKEND=drill.mailsink.EmailBackend``): it stands in for the
SMTP server, which is outside OpenCity.
"""

from __future__ import annotations

import os

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["DRILL_MAIL_DIR"]
        super().__init__(*args, **kwargs)
