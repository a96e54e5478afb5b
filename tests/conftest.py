"""Test-wide settings: a token key for the scans of generated data (a test value, not a site's secret)."""

from __future__ import annotations

import os

os.environ.setdefault("RW_TOKEN_KEY", "tests-only-token-key")
