"""Link an alert to the subject's integrity education and interventions; recommend targeted education."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from risk_warning.alerts.model import AssignmentSummary, EducationContext, InterventionSummary
from risk_warning.facts._base import Fact
from risk_warning.facts.history import EducationAssignment
from risk_warning.facts.integrity import EducationRecord, Intervention

INTEGRITY_EDUCATION = frozenset(
    {"廉政党课", "警示教育", "例行廉政谈话", "任前廉政谈话", "集体廉政谈话", "廉政知识测试"}
)

# targeted education by risk family (a rule's `education:` key overrides it)
EDUCATION_BY_FAMILY = {
    "rotation": "重点岗位廉政风险防控教育",
    "pmr": "领导干部个人有关事项报告专题教育",
    "travel": "因私出国(境)证照管理纪律教育",
    "conflict": "亲属回避与利益冲突专题教育",
    "procurement": "工程建设领域警示教育",
    "finance": "财经纪律与中央八项规定精神警示教育",
    "conduct": "廉洁自律专题教育",
    "complaints": "廉政谈话(谈心谈话)",
    "discipline": "以案促改警示教育",
    "education": "廉政党课与警示教育补课",
    "orglife": "党性教育与组织生活纪律教育",
    "appraisal": "干部担当作为与廉洁从政教育",
    "selection": "选人用人纪律专题教育",
    "audit": "审计整改与经济责任专题教育",
}
DEFAULT_EDUCATION = "廉政警示教育"


def recommended_education(family: str, override: str | None = None) -> str:
    return override or EDUCATION_BY_FAMILY.get(family, DEFAULT_EDUCATION)


def education_context(facts: Sequence[Fact], as_of: object) -> EducationContext:
    """Last integrity education, hours and sessions in the 12 months to as_of, interventions in 12 months,
    and targeted education assigned but not completed by as_of. Completed assignments count as education."""
    from datetime import date

    assert isinstance(as_of, date)
    since = as_of - timedelta(days=365)
    records = [
        (f.date, f.record_id, f.type, f.hours)
        for f in facts
        if isinstance(f, EducationRecord) and f.type in INTEGRITY_EDUCATION and f.date <= as_of
    ]
    assignments = [f for f in facts if isinstance(f, EducationAssignment) and f.assigned_on <= as_of]
    records += [
        (a.completed_on, a.assignment_id, a.type, a.hours)
        for a in assignments
        if a.completed_on is not None and a.completed_on <= as_of
    ]
    recent = [r for r in records if r[0] > since]
    last = max(records, default=None)
    outstanding = sorted(
        (a for a in assignments if a.completed_on is None or a.completed_on > as_of),
        key=lambda a: (a.due, a.assignment_id),
    )
    interventions = sorted(
        (f for f in facts if isinstance(f, Intervention) and since < f.date <= as_of), key=lambda i: i.date
    )
    return EducationContext(
        last_education_date=last[0] if last else None,
        last_education_type=last[2] if last else None,
        hours_12m=round(sum(r[3] for r in recent), 2),
        sessions_12m=len(recent),
        interventions_12m=[InterventionSummary(type=i.type, date=i.date, family=i.family) for i in interventions],
        outstanding_assignments=[
            AssignmentSummary(topic=a.topic, assigned_on=a.assigned_on, due=a.due, overdue=a.due < as_of)
            for a in outstanding
        ],
    )
