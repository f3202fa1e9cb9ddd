"""Test data for warnings. Warnings are made through the services, as in production."""

from __future__ import annotations

import base64
import datetime as dt

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone


def content(**overrides) -> dict:
    """A valid warning's content (flood, severe, valid for a day)."""
    now = timezone.now()
    data = {
        "event": "flood",
        "severity": "Severe",
        "urgency": "Expected",
        "certainty": "Likely",
        "response_type": "Evacuate",
        "headline_vi": "Cảnh báo lũ trên sông Hương",
        "description_vi": "Mực nước sông Hương tại Kim Long dự báo lên trên báo động 3.",
        "instruction_vi": "Di dời người già, trẻ em đến nơi an toàn.",
        "effective": now,
        "expires": now + dt.timedelta(hours=24),
    }
    data.update(overrides)
    return data


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> tuple[ec.EllipticCurvePrivateKey, str, bytes, str]:
    """What a browser makes when it subscribes: an ECDH key pair and a 16-byte auth secret.

    Returns (private key, p256dh as base64url, auth secret, auth as base64url).
    """
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    auth = b"0123456789abcdef"
    return private, b64url(public), auth, b64url(auth)
