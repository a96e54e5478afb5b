"""How the alerts of a scan name their subjects: a cadre by the masked name (张**), a unit by its name, and
each by the name of its unit, read from the night's export for the subjects with alerts only; and the
organisation chart the store keeps for scopes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from risk_warning.facts._base import subject_kind
from risk_warning.privacy import mask_name
from risk_warning.sources.base import LoadResult
from risk_warning.store.writer import Label


def labels_of(loaded: LoadResult, subjects: Iterable[str], units: Mapping[str, str]) -> dict[str, Label]:
    """``Label`` (masked name, unit name) of each subject; ``units`` is each subject's org unit id."""
    wanted = set(subjects)
    if not wanted:
        return {}
    unit_ids = {u for s, u in units.items() if s in wanted} | {s[5:] for s in wanted if subject_kind(s) == "unit"}
    unit_names = _names(loaded, "org_unit", "org_unit_id", unit_ids)
    cadre_names = _names(loaded, "cadre", "cadre_id", {s for s in wanted if subject_kind(s) == "cadre"})
    out: dict[str, Label] = {}
    for subject in wanted:
        kind = subject_kind(subject)
        if kind == "cadre":
            name = mask_name(cadre_names.get(subject, ""))
        elif kind == "unit":
            name = unit_names.get(subject[5:], "")
        else:
            name = ""
        out[subject] = Label(name=name, unit=unit_names.get(units.get(subject, ""), ""))
    return out


def _names(loaded: LoadResult, fact_type: str, key: str, ids: set[str]) -> dict[str, str]:
    """The ``name`` of each of these ``ids`` of a fact type (the first accepted record of each)."""
    if not ids:
        return {}
    frame = loaded.frames({fact_type: [key, "name"]}).get(fact_type)
    if frame is None:
        return {}
    found = frame.filter(pl.col(key).is_in(sorted(ids))).unique(key, keep="first", maintain_order=True)
    return {k: n or "" for k, n in found.select(key, "name").iter_rows()}


def chart_of(loaded: LoadResult) -> list[tuple[str, str, str | None]]:
    """The export's org units as (id, name, parent id): the organisation chart the store keeps for scopes."""
    frame = loaded.frames({"org_unit": ["org_unit_id", "name", "parent_id"]}).get("org_unit")
    if frame is None:
        return []
    return [(u, n or "", p) for u, n, p in frame.select("org_unit_id", "name", "parent_id").iter_rows()]
