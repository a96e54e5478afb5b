"""The HTTP service for HR systems in any language (the ``[service]`` extra: FastAPI, uvicorn, limits)."""

from risk_warning.service.app import create_app

__all__ = ["create_app"]
