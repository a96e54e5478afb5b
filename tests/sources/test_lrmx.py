"""干部任免审批表 (.lrmx): hand-made forms after the public field list load as cadre and relative facts,
the ID number is never shown or used as an id, and a form that cannot be tied to a cadre is refused."""

from __future__ import annotations

from pathlib import Path

from risk_warning.errors import Reason
from risk_warning.sources import DirectorySource

ID_KNOWN = "11010519491231002X"
ID_NEW = "110105198003150017"


def form(id_number: str | None, members: list[tuple[str, str]], encoding: str = "UTF-8") -> bytes:
    items = "".join(
        f"<Item><ChengWei>{w}</ChengWei><XingMing>{n}</XingMing><ChuShengRiQi>1975.05</ChuShengRiQi>"
        f"<ZhengZhiMianMao>群众</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>某公司 职员</GongZuoDanWeiJiZhiWu></Item>"
        for w, n in members
    )
    card = f"<ShenFenZheng>{id_number}</ShenFenZheng>" if id_number else ""
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><Person><XingMing>王建国</XingMing><XingBie>男</XingBie>'
        f"<ChuShengNianYue>198003</ChuShengNianYue>{card}<XianRenZhiWu>某局财务科科长</XianRenZhiWu>"
        f"<ZhaoPian>iVBORw0KGgo=</ZhaoPian><JiaTingChengYuan>{items}</JiaTingChengYuan></Person>"
    )
    return text.encode("gb18030" if encoding == "GB2312" else "utf-8")


def test_forms_load_as_cadres_and_relatives(tmp_path: Path) -> None:
    (tmp_path / "cadre.csv").write_text(f"cadre_id,name,id_card_no\nC001,李四,{ID_KNOWN}\n", encoding="utf-8")
    (tmp_path / "李四.lrmx").write_bytes(form(ID_KNOWN, [("妻子", "张丽"), ("儿子", "李明")], "GB2312"))
    (tmp_path / "王建国.lrmx").write_bytes(form(ID_NEW, [("岳父", "赵刚"), ("表哥", "钱多")]))
    (tmp_path / "无证件.lrmx").write_bytes(form(None, []))
    (tmp_path / "entity.lrmx").write_bytes(b'<?xml version="1.0"?><!DOCTYPE Person [<!ENTITY a "b">]><Person/>')
    loaded = DirectorySource(tmp_path).load()
    relatives = sorted((f.cadre_id, f.relation) for f in loaded.facts if f.fact_type == "relative")  # type: ignore[attr-defined]
    cadres = {f.cadre_id: f for f in loaded.facts if f.fact_type == "cadre"}  # type: ignore[attr-defined]
    new_id = next(c for c in cadres if c != "C001")
    assert new_id.startswith("lrmx-") and ID_NEW not in new_id
    assert relatives == [("C001", "子女"), ("C001", "配偶"), (new_id, "近姻亲")]
    new = cadres[new_id]
    assert (new.gender, new.birth_date.isoformat(), new.month_only) == ("男", "1980-03-01", {"birth_date"})  # type: ignore[attr-defined]
    assert cadres["C001"].name == "李四"  # the exported record stands  # type: ignore[attr-defined]
    by_file = {Path(f.path.split("#")[0]).name: f for f in loaded.files}
    assert all(f.balanced for f in loaded.files)
    assert (by_file["王建国.lrmx"].read, by_file["王建国.lrmx"].accepted, by_file["王建国.lrmx"].quarantined) == (
        3,
        2,
        1,
    )
    assert "ShenFenZheng" in by_file["无证件.lrmx"].refused and "DOCTYPE" in by_file["entity.lrmx"].refused
    problems = "\n".join(str(q) for q in loaded.quarantined)
    assert "表哥" not in problems and ID_NEW not in problems and ID_KNOWN not in problems
    assert {q.reason for q in loaded.quarantined} == {Reason.INVALID_VALUE, Reason.UNREADABLE}
