"""Alerts: grading, evidence, fingerprints and the link to the integrity-education record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from risk_warning.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from risk_warning.alerts.build import build_alerts, fingerprint
    from risk_warning.alerts.education import education_context, recommended_education
    from risk_warning.alerts.model import Alert, EducationContext, Evidence, InterventionSummary

__all__ = [
    "Alert",
    "EducationContext",
    "Evidence",
    "InterventionSummary",
    "build_alerts",
    "education_context",
    "fingerprint",
    "recommended_education",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "build_alerts": "risk_warning.alerts.build",
        "fingerprint": "risk_warning.alerts.build",
        "education_context": "risk_warning.alerts.education",
        "recommended_education": "risk_warning.alerts.education",
        "Alert": "risk_warning.alerts.model",
        "EducationContext": "risk_warning.alerts.model",
        "Evidence": "risk_warning.alerts.model",
        "InterventionSummary": "risk_warning.alerts.model",
    },
)
