"""What tables and reports call a risk family and an alert's status, in Chinese first: a family a site adds
without a label is shown by its id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from risk_warning.alerts.lifecycle import AlertStatus

FAMILY_LABEL = {
    "accumulation": "风险累积",
    "appraisal": "考核评价",
    "audit": "审计整改",
    "complaints": "信访举报",
    "conduct": "廉洁自律",
    "conflict": "利益冲突",
    "discipline": "执纪问责",
    "education": "廉政教育",
    "finance": "财经纪律",
    "orglife": "组织生活",
    "pmr": "个人有关事项",
    "procurement": "工程招投标与采购",
    "rotation": "轮岗交流",
    "selection": "选人用人",
    "travel": "因私出入境",
}

STATUS_LABEL = {
    AlertStatus.NEW: "待研判",
    AlertStatus.TRIAGED: "已研判",
    AlertStatus.FALSE_POSITIVE: "误报",
    AlertStatus.IN_DISPOSITION: "处置中",
    AlertStatus.RECHECK: "待复查",
    AlertStatus.CLOSED: "已销号",
    AlertStatus.ESCALATED: "已升级",
    AlertStatus.CLEARED: "已解除",
    AlertStatus.RETIRED: "规则停用",
}


def family_label(family: str) -> str:
    return FAMILY_LABEL.get(family, family)


def status_label(status: str) -> str:
    try:
        return STATUS_LABEL[AlertStatus(status)]
    except ValueError:
        return status


def evidence_line(item: Mapping[str, Any]) -> str:
    """One piece of stored evidence as a line: ``appointment:A001: cadre_id=C001, start_date=2019-03-01``."""
    fields = ", ".join(f"{k}={v}" for k, v in (item.get("fields") or {}).items())
    return f"{item.get('key') or item.get('fact_type', '')}: {fields}"
