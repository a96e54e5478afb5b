"""Masking of personal identifiers wherever they would be shown: logs, alerts, reports, errors."""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from risk_warning.errors import ConfigError
from risk_warning.settings import settings

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
    site; tokens made under different keys do not match. There is no default key: a public one would let
    anyone reverse a token by trying candidate values.
    """
    return tokens([value])[0]


def tokens(values: Iterable[str]) -> list[str]:
    """``token`` of each value, the key read once: what a column of distinct values needs."""
    key = token_key()
    return [hmac.digest(key, value.strip().encode(), "sha256").hex()[:24] for value in values]


_ephemeral: list[bytes] = []


def token_key() -> bytes:
    if _ephemeral:
        return _ephemeral[-1]
    key = settings().token_key
    if key is None or not key.get_secret_value():
        raise ConfigError(
            "RW_TOKEN_KEY is not set: records with sensitive values that rules compare (accounts, IP and MAC "
            "addresses, ID numbers) need the site's secret key; set the same RW_TOKEN_KEY on every machine"
        )
    return key.get_secret_value().encode()


@contextmanager
def ephemeral_token_key() -> Iterator[None]:
    """A random key for work whose tokens never leave the process (rule tests, synthetic data), unless a
    site key is set: tokens stay comparable within the run and mean nothing after it."""
    if settings().token_key is not None:
        yield
        return
    _ephemeral.append(secrets.token_bytes(32))
    try:
        yield
    finally:
        _ephemeral.pop()
