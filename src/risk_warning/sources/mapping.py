"""A site mapping file: how one HR system's export names its files, columns and codes.

```yaml
files:                         # a file name (without extension) or an XLSX sheet name -> fact type
  干部基本信息: cadre
  任免记录: appointment
columns:                       # per fact type ("*": any type), a header -> the field it holds
  cadre: {人员编码: cadre_id, 所在单位编码: org_unit_id}
  "*": {人员编码: cadre_id}
ignore: [序号, 备注]            # columns that hold nothing the rules use, in any file
values:                        # per field, a shipped code table or a map of code -> value
  cadre.gender: GB/T 2261.1
  cadre.political_status: GB/T 4762
  position.risk_level: {高: high, 中: medium, 低: low}
```

Every field's Chinese name in the glossary (docs/facts.md) is accepted as a header without a
mapping. Mistakes are ``Diagnostic``s at file:line:col, all of a file at once, raised as MappingError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from risk_warning.errors import Diagnostic, MappingError, Reason, RulesetError, did_you_mean
from risk_warning.facts.registry import FACT_MODELS, STORE_OWNED
from risk_warning.rules.textfile import read_text
from risk_warning.rules.yamlsrc import SourceMap, load_yaml

ANY = "*"

# Code tables as published; where a standard's code has no counterpart among a field's values it is
# left out, so such a record is quarantined rather than read as something it is not.
CODE_TABLES: dict[str, dict[str, str]] = {
    # GB/T 2261.1-2003 人的性别代码: 0 未知, 9 未说明 are empty
    "GB/T 2261.1": {"1": "男", "2": "女", "0": "", "9": ""},
    # GB/T 4762 政治面貌代码: 04-11 the eight democratic parties; 团员 and 无党派人士 are not party members
    "GB/T 4762": {
        "01": "中共党员",
        "02": "中共预备党员",
        "03": "群众",
        **{f"{n:02d}": "民主党派" for n in range(4, 12)},
        "12": "群众",
        "13": "群众",
    },
    # GB/T 4761-2008 家庭关系代码 (the codes we map with confidence; others must be mapped by the site)
    "GB/T 4761": {
        **{c: "配偶" for c in ("20", "21", "22")},
        **{str(c): "子女" for c in (*range(30, 38), 39, *range(40, 48), 49)},
        **{c: "父母" for c in ("51", "52", "57", "58")},
        **{c: "近姻亲" for c in ("53", "54", "55", "56", "72", "74", "76", "78")},
        **{c: "兄弟姐妹" for c in ("71", "73", "75", "77")},
    },
    # 称谓 as written in 干部任免审批表 (家庭主要成员及重要社会关系)
    "称谓": {
        **{w: "配偶" for w in ("妻子", "丈夫", "配偶", "夫妻")},
        **{w: "子女" for w in ("儿子", "女儿", "长子", "次子", "长女", "次女", "子", "女")},
        **{w: "子女配偶" for w in ("儿媳", "女婿")},
        **{w: "父母" for w in ("父亲", "母亲", "继父", "继母")},
        **{w: "近姻亲" for w in ("岳父", "岳母", "公公", "婆婆")},
        **{w: "兄弟姐妹" for w in ("哥哥", "弟弟", "姐姐", "妹妹", "兄", "弟", "姐", "妹")},
    },
}

_KEYS = ("files", "columns", "ignore", "values")


@dataclass(frozen=True)
class SiteMapping:
    """File names, headers and value codes of one site's export, resolved and checked."""

    files: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # type or "*" -> header -> field
    ignore: frozenset[str] = frozenset()
    values: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)
    path: str = ""

    def fact_type(self, name: str) -> str | None:
        """The fact type a file stem or sheet name holds, or None."""
        if name in FACT_MODELS:
            return name
        return self.files.get(name)

    def column(self, fact_type: str, header: str) -> str | None:
        return self.columns.get(fact_type, {}).get(header) or self.columns.get(ANY, {}).get(header)

    def value_map(self, fact_type: str, name: str) -> Mapping[str, str]:
        return self.values.get((fact_type, name), {})


class _Checker:
    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.problems: list[Diagnostic] = []

    def error(self, loc: tuple[Any, ...], reason: Reason, message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(Diagnostic(self.smap.at(loc, key=key), reason, message, hint))

    def mapping(self, value: Any, loc: tuple[Any, ...], what: str) -> dict[Any, Any]:
        if isinstance(value, dict):
            return value
        if value is not None:
            self.error(loc, Reason.SCHEMA, f"{what} must be a mapping of name: value")
        return {}

    def fact_type(self, name: Any, loc: tuple[Any, ...], *, key: bool) -> bool:
        if str(name) in STORE_OWNED:
            said = f"'{name}' records are kept by the alert store and are never read from an export"
            self.error(loc, Reason.STORE_OWNED, said, "map the export's own files only", key=key)
            return False
        if str(name) in FACT_MODELS:
            return True
        hint = did_you_mean(str(name), FACT_MODELS) or "the fact types are listed in docs/facts.md"
        self.error(loc, Reason.UNKNOWN_FACT_TYPE, f"unknown fact type '{name}'", hint, key=key)
        return False

    def field(self, fact_type: str, name: Any, loc: tuple[Any, ...]) -> bool:
        fields = FACT_MODELS[fact_type].model_fields if fact_type != ANY else _ALL_FIELDS
        if str(name) in fields:
            return True
        hint = did_you_mean(str(name), fields) or f"the fields of {fact_type} are listed in docs/facts.md"
        owner = "any fact type" if fact_type == ANY else fact_type
        self.error(loc, Reason.UNKNOWN_FIELD, f"{owner} has no field '{name}'", hint)
        return False


_ALL_FIELDS = {name for model in FACT_MODELS.values() for name in model.model_fields}


def parse_mapping(text: str, path: str) -> SiteMapping:
    """Check a mapping file's text; raises MappingError with every problem located."""
    loaded = load_yaml(text, path)
    if isinstance(loaded, Diagnostic):
        raise MappingError([loaded])
    data, smap = loaded
    check = _Checker(smap)
    top = check.mapping(data, (), "a mapping file")
    for key in top:
        if key not in _KEYS:
            hint = did_you_mean(str(key), _KEYS) or f"the keys are {', '.join(_KEYS)}"
            check.error((key,), Reason.UNKNOWN_KEY, f"unknown key '{key}'", hint, key=True)
    files: dict[str, str] = {}
    for name, fact_type in check.mapping(top.get("files"), ("files",), "files").items():
        if check.fact_type(fact_type, ("files", name), key=False):
            files[str(name)] = str(fact_type)
    columns: dict[str, dict[str, str]] = {}
    for fact_type, headers in check.mapping(top.get("columns"), ("columns",), "columns").items():
        if fact_type != ANY and not check.fact_type(fact_type, ("columns", fact_type), key=True):
            continue
        loc = ("columns", fact_type)
        for header, name in check.mapping(headers, loc, f"columns of {fact_type}").items():
            if check.field(str(fact_type), name, (*loc, header)):
                columns.setdefault(str(fact_type), {})[str(header)] = str(name)
    ignore = top.get("ignore") or []
    if not isinstance(ignore, list):
        check.error(("ignore",), Reason.SCHEMA, "ignore must be a list of column headers")
        ignore = []
    values: dict[tuple[str, str], dict[str, str]] = {}
    for target, table in check.mapping(top.get("values"), ("values",), "values").items():
        fact_type, _, name = str(target).partition(".")
        loc = ("values", target)
        if not name:
            check.error(loc, Reason.SCHEMA, f"'{target}' must name a field as fact_type.field", key=True)
            continue
        if not (check.fact_type(fact_type, loc, key=True) and check.field(fact_type, name, loc)):
            continue
        if isinstance(table, str):
            if table not in CODE_TABLES:
                hint = did_you_mean(table, CODE_TABLES) or f"the shipped tables are {', '.join(CODE_TABLES)}"
                check.error(loc, Reason.BAD_VALUE, f"unknown code table '{table}'", hint)
                continue
            values[(fact_type, name)] = CODE_TABLES[table]
        else:
            codes = check.mapping(table, loc, f"values of {target}")
            values[(fact_type, name)] = {str(k): "" if v is None else str(v) for k, v in codes.items()}
    if check.problems:
        raise MappingError(check.problems)
    return SiteMapping(files, columns, frozenset(str(h) for h in ignore), values, path)


def load_mapping(path: str | Path) -> SiteMapping:
    """Read and check a mapping file: UTF-8 (rules/textfile.py: other encodings refused where they start)."""
    try:
        text = read_text(path, "mapping file")
    except RulesetError as exc:
        raise MappingError(exc.diagnostics) from None
    return parse_mapping(text, str(path))
