"""Alerts: grading, evidence, fingerprints and the link to the integrity-education record."""

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
