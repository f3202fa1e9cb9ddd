from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencity.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import sessions

        def started(sender, request, user, **kwargs):
            if getattr(request, "session", None) is not None and request.session.session_key:
                sessions.browser_session_started(user=user, session_key=request.session.session_key,
                                                 user_agent=request.headers.get("User-Agent", ""))

        def ended(sender, request, user, **kwargs):
            # sent before the session is flushed: its key is still the one ending
            session = getattr(request, "session", None)
            sessions.browser_session_ended(session_key=session.session_key if session is not None else None)

        user_logged_in.connect(started, weak=False, dispatch_uid="opencity.accounts.session_started")
        user_logged_out.connect(ended, weak=False, dispatch_uid="opencity.accounts.session_ended")
