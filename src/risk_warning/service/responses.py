"""Every JSON answer of the service goes through ``scrub`` last: an ID or phone number that reached a record
(a message, an evidence field, a file name) leaves masked, as in the CLI's JSON output."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse

from risk_warning.privacy import scrub


class ScrubbedJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return scrub(text).encode("utf-8")
