"""Records become typed facts; facts read from an export share what they can (memory at scale)."""

from __future__ import annotations


def test_compacted_facts_share_their_given_fields_and_still_copy_and_dump() -> None:
    from datetime import date

    from risk_warning.facts.records import validate_record

    one, _ = validate_record("appointment", {"appointment_id": "A1", "cadre_id": "c1", "position_id": "p1",
                                             "start_date": "2020-01-01"})  # fmt: skip
    two, _ = validate_record("appointment", {"appointment_id": "A2", "cadre_id": "c2", "position_id": "p1",
                                             "start_date": "2021-01-01"})  # fmt: skip
    assert one is not None and two is not None
    assert one.__pydantic_fields_set__ is two.__pydantic_fields_set__
    moved = one.model_copy(update={"end_date": date(2022, 1, 1)})
    assert "end_date" in moved.model_fields_set and "end_date" not in two.model_fields_set
    assert one.model_dump(exclude_unset=True) == {"appointment_id": "A1", "cadre_id": "c1", "position_id": "p1",
                                                  "start_date": date(2020, 1, 1)}  # fmt: skip
