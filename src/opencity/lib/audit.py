"""Append one entry to the audit log (every staff and admin action)."""

from __future__ import annotations

from opencity.lib.models import AuditLog


def audit(actor, action: str, target, *, summary: str = "", data: dict | None = None, ip: str | None = None) -> None:
    AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if hasattr(target, "_meta") else str(type(target).__name__),
        target_id=str(getattr(target, "pk", target)),
        summary=summary[:300],
        data=data or {},
        ip=ip,
    )
