"""Every exit code of ``risk-warning``, in one place (docs/exit-codes.md lists the same, and a test checks it)."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # done; a scan may have quarantined records within the limit (listed)
    FINDINGS = 1  # `test`: a rule test failed; `scan --fail-on G`: an alert at grade G or above
    CONFIG = 2  # a ruleset, site, mapping or schedule file, or an argument, is invalid: nothing was run
    LEASE_HELD = 3  # another scan holds the store's lease: nothing was done
    REFUSED = (
        4  # the input shrank against the last scan (no input, a fact type gone, subjects dropped): no alert changed
    )
    DATA_ERRORS = 5  # a file was refused (no alert changed), or quarantined beyond the limit (its subjects held back)
    STORE = 6  # the store is missing, older than this version (`risk-warning db upgrade`), or unreachable
    INTERNAL = 7  # an unexpected error: a bug in risk-warning (one line; --debug shows the traceback)
    NOT_PERMITTED = 8  # the identity's role (RW_ROLE) or scope (RW_UNITS) does not allow this: nothing was done
