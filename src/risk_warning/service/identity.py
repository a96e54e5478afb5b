"""Who is calling: an API key, or the HR system's gateway vouching for its signed-in user.

* ``Authorization: Bearer rwk_...`` (or ``X-API-Key: rwk_...``): a key made with ``risk-warning keys add``;
  its name is the identity and its role and units are the key's. Keys are stored hashed (store/keys.py).
* The gateway (the HR system's own single sign-on in front of this service) names the user in
  ``X-RW-Identity`` with ``X-RW-Role``, ``X-RW-Units`` and ``X-RW-Kinds`` (comma-separated; units and kinds
  left out: every one). It is believed only when it sends ``X-RW-Gateway-Secret`` equal to
  ``RW_GATEWAY_SECRET`` *and* connects from one of ``RW_GATEWAY_NETWORKS`` (loopback by default): a
  client that reaches the service directly cannot claim to be someone. Without the secret set, no
  gateway is believed. Identity values may be percent-encoded (UTF-8), so a Chinese name travels in a
  header.

Anything else is 401 with ``WWW-Authenticate: Bearer``. Each identity is then held to ``RW_RATE_LIMIT``.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import unquote

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from risk_warning.errors import ConfigError
from risk_warning.settings import Settings
from risk_warning.store.principal import Principal, Role
from risk_warning.store.repository import AlertStore

GATEWAY_HEADERS = ("x-rw-identity", "x-rw-role", "x-rw-units", "x-rw-kinds", "x-rw-gateway-secret")


@dataclass
class Gatekeeper:
    """Turns a request into a Principal, or refuses it (401, 429)."""

    store: AlertStore
    gateway_secret: bytes | None
    gateway_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
    limit: RateLimitItem
    limiter: MovingWindowRateLimiter

    @classmethod
    def from_settings(cls, store: AlertStore, config: Settings) -> Gatekeeper:
        limit, networks, secret = checked_settings(config)
        return cls(store, secret, networks, limit, MovingWindowRateLimiter(MemoryStorage()))

    def principal(self, request: Request) -> Principal:
        origin = request.client.host if request.client else "unknown"
        found = self._from_key(request, origin) or self._from_gateway(request, origin)
        if found is None:
            raise HTTPException(
                401, "sign in with an API key (Authorization: Bearer rwk_...) or through the HR system's gateway",
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
        if not self.limiter.hit(self.limit, found.identity):
            reset = self.limiter.get_window_stats(self.limit, found.identity).reset_time
            wait = max(1, int(reset - time.time()) + 1)
            raise HTTPException(429, f"more than {self.limit} requests; try again in {wait} s",
                                headers={"Retry-After": str(wait)})  # fmt: skip
        return found

    def _from_key(self, request: Request, origin: str) -> Principal | None:
        header = request.headers.get("authorization", "")
        key = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "").strip()
        if not key:
            return None
        found = self.store.principal_for(key, origin)
        if found is None:
            raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
        return found

    def _from_gateway(self, request: Request, origin: str) -> Principal | None:
        said = request.headers.get("x-rw-gateway-secret")
        if said is None or self.gateway_secret is None:
            return None
        if not hmac.compare_digest(said.encode(), self.gateway_secret) or not self._from_network(origin):
            raise HTTPException(401, "the gateway is not trusted (secret or address)",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        identity = unquote(request.headers.get("x-rw-identity", "")).strip()
        if not identity:
            raise HTTPException(401, "the gateway named nobody: X-RW-Identity is empty",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        role_said = request.headers.get("x-rw-role", Role.VIEWER.value).strip()
        try:
            role = Role(role_said)
        except ValueError:
            raise HTTPException(401, f"X-RW-Role {role_said!r}: one of {', '.join(Role)}") from None
        return Principal(identity, f"{origin} via gateway", role, _listed(request, "x-rw-units"),
                         _listed(request, "x-rw-kinds"))  # fmt: skip

    def _from_network(self, origin: str) -> bool:
        try:
            address = ipaddress.ip_address(origin)
        except ValueError:
            return False
        return any(address in network for network in self.gateway_networks)


def checked_settings(
    config: Settings,
) -> tuple[RateLimitItem, list[ipaddress.IPv4Network | ipaddress.IPv6Network], bytes | None]:
    """The rate limit, the gateway's networks and its secret, or a ConfigError naming the setting (serve
    checks them before it listens)."""
    try:
        limit = parse(config.rate_limit)
    except ValueError:
        raise ConfigError(f"RW_RATE_LIMIT={config.rate_limit!r}: not a rate (e.g. 100/second, 6000/minute)") from None
    try:
        networks = [ipaddress.ip_network(n, strict=False) for n in config.gateway_networks]
    except ValueError as exc:
        raise ConfigError(f"RW_GATEWAY_NETWORKS: {exc}") from None
    secret = config.gateway_secret.get_secret_value().encode() if config.gateway_secret else None
    if secret is not None and len(secret) < 16:
        raise ConfigError("RW_GATEWAY_SECRET: at least 16 characters (it is all that vouches for the gateway)")
    return limit, networks, secret


def _listed(request: Request, header: str) -> frozenset[str] | None:
    value = request.headers.get(header)
    if value is None:
        return None
    return frozenset(unquote(v).strip() for v in value.split(",") if v.strip())
