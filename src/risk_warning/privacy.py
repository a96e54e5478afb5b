"""Masking of personal identifiers wherever they would be shown: logs, alerts, reports, errors."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_name(name: str) -> str:
    """张三丰 -> 张**; keeps the surname so a reader can tell people apart, nothing more."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id_card(value: str) -> str:
    """First 6 and last 4 characters of an 18-digit 身份证号, the rest starred."""
    v = value.strip()
    return v[:6] + "*" * max(0, len(v) - 10) + v[-4:] if len(v) > 10 else "*" * len(v)


def mask_phone(value: str) -> str:
    v = value.strip()
    return v[:3] + "****" + v[-4:] if len(v) >= 11 else "*" * len(v)


def scrub(text: str) -> str:
    """Mask any 身份证号 or mobile number that appears in free text (a last line of defence)."""
    text = _ID_CARD.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def token(value: str) -> str:
    """A pseudonymous token for a sensitive value (an account, an IP address), keyed by ``RW_TOKEN_KEY``.

    Equal values give equal tokens under one key, so rules can compare them without ever seeing them
    (bid collusion: two bidders paying from one account). Set the same secret key on every machine of a
    site; tokens made under different keys do not match.
    """
    key = os.environ.get("RW_TOKEN_KEY", "risk-warning").encode()
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()[:24]
