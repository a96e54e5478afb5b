"""干部任免审批表 (``.lrmx``): the cadre appointment and removal form, XML with root ``Person``.

What is read, per file:
- the cadre: XingMing (name), XingBie (gender), ChuShengNianYue (birth month, usually ``197003``: read
  as the 1st and marked month-only), ShenFenZheng (身份证号: a HIGH personal identifier, never shown).
- JiaTingChengYuan/Item (家庭主要成员及重要社会关系): one relative each, ChengWei (称谓: 妻子, 儿子,
  岳父 ... through the 称谓 code table) and XingMing. A 称谓 outside the table quarantines that item.

The form carries no cadre id. A file is tied to the cadre whose exported record has the same ID
number (cadre.csv's ``id_card_no``, held in memory during the load only: ``LoadResult.identities``); a form
with no such record makes a new cadre whose id is a keyed token of the ID number (``lrmx-…``), never the
number itself. A form without an ID number is refused.

What is left: the photo (ZhaoPian), and every free-text part: 现任职务, 拟任/拟免职务, 简历, 奖惩,
考核, 任免理由; a relative's birth date and political status (no field holds them); and a relative's
工作单位及职务 (an employer named in free text cannot be tied to an enterprise's credit code reliably,
and a wrong tie is a false conflict-of-interest alert).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from risk_warning.errors import Reason, SourceLocation
from risk_warning.privacy import token
from risk_warning.sources.base import FileReport, LoadResult, QuarantinedRecord
from risk_warning.sources.columns import normalise_table
from risk_warning.sources.intake import accept
from risk_warning.sources.mapping import CODE_TABLES, SiteMapping
from risk_warning.sources.readers import RawTable

_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_-]+)[\"'][^>]*\?>")
LRMX_MAPPING = SiteMapping(values={("relative", "relation"): CODE_TABLES["称谓"]})


class FormRefused(ValueError):
    pass


def _parse(path: Path) -> ET.Element:
    data = path.read_bytes()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FormRefused("the form declares a DOCTYPE or entities, which a 任免审批表 never has")
    declared = _DECLARED.match(data)
    encoding = declared.group(1).decode() if declared else "utf-8"
    try:
        text = data.decode("gb18030" if encoding.lower() in ("gb2312", "gbk", "gb18030") else encoding)
    except (LookupError, UnicodeDecodeError):
        raise FormRefused(f"the form is not valid {encoding} text") from None
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise FormRefused(f"not well-formed XML at line {exc.position[0]} column {exc.position[1]}") from None
    if root.tag != "Person":
        raise FormRefused(f"the root element is <{root.tag}>, not <Person>")
    return root


def _text(element: ET.Element | None, tag: str) -> str | None:
    found = element.find(tag) if element is not None else None
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def load_lrmx(paths: Sequence[Path], result: LoadResult) -> None:
    """Add each form's cadre (unless already exported) and relatives to ``result``."""
    by_id_card = result.identities or {}  # gathered as the cadre records were accepted (their ID numbers are not kept)
    for path in paths:
        report = FileReport(str(path), "cadre+relative", encoding="xml")
        result.files.append(report)
        try:
            root = _parse(path)
            id_card = _text(root, "ShenFenZheng")
            if id_card is None:
                raise FormRefused("the form has no ShenFenZheng (ID number), so it cannot be tied to a cadre")
        except (FormRefused, OSError) as exc:
            report.refused = str(exc)
            report.read = 1
            report.reasons["file-refused"] = 1
            where = SourceLocation(str(path))
            result.quarantined.append(
                QuarantinedRecord(where, "cadre", Reason.UNREADABLE, f"{exc}; the form was refused")
            )
            continue
        items = root.findall("JiaTingChengYuan/Item")
        report.read = 1 + len(items)
        cadre_id = by_id_card.get(id_card)
        if cadre_id is not None:
            report.accepted += 1  # the exported record of this cadre stands; the form adds the relatives
        else:
            cadre_id = f"lrmx-{token(id_card)[:16]}"
            person = {
                "cadre_id": cadre_id,
                "name": _text(root, "XingMing"),
                "gender": _text(root, "XingBie"),
                "birth_date": _text(root, "ChuShengNianYue"),
                "id_card_no": id_card,
            }
            table = RawTable(f"{path}#Person", list(person), [(1, list(person.values()))])
            for record in normalise_table(table, "cadre", LRMX_MAPPING):
                accept(record, table, "cadre", LRMX_MAPPING, report, result)
        rows: list[tuple[int, list[str | None]]] = [
            (number, [f"{cadre_id}-r{number}", cadre_id, _text(item, "ChengWei"), _text(item, "XingMing")])
            for number, item in enumerate(items, start=1)
        ]
        table = RawTable(f"{path}#JiaTingChengYuan/Item", ["relative_id", "cadre_id", "relation", "name"], rows)
        for record in normalise_table(table, "relative", LRMX_MAPPING):
            accept(record, table, "relative", LRMX_MAPPING, report, result)
