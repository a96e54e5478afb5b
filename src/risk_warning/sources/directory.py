"""A directory of export files: one file (or XLSX sheet) per fact type, and 干部任免审批表 (.lrmx).

``appointment.csv``, ``cadre.xlsx``, ``complaint.jsonl``, ``position.json``; a workbook whose sheets are
named by fact type; file and sheet names, headers and codes of other forms through a site mapping
file (sources/mapping.py); ``*.lrmx`` files as cadre and relative facts (sources/lrmx.py).

Every record is accounted for (``FileReport``: read = accepted + quarantined). A bad record is
quarantined with file, row, column and reason, and the subjects it names, and reading goes on. A file
whose every record is doubtful (unknown column, missing required column, undecidable encoding) is
refused whole. Any other file in the directory is reported, never skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from risk_warning.errors import DataError, Diagnostic, Reason, SourceLocation, did_you_mean
from risk_warning.facts._base import Fact, subject_id
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.sources.base import FileReport, LoadResult, QuarantinedRecord
from risk_warning.sources.columns import Record, column_of, header_names, normalise_table
from risk_warning.sources.mapping import SiteMapping, load_mapping
from risk_warning.sources.readers import FileRefused, RawTable, read_csv, read_json, read_jsonl, read_xlsx_sheet
from risk_warning.sources.readers import xlsx_sheets as list_sheets
from risk_warning.sources.records import validate_record

READERS = {".csv": read_csv, ".jsonl": read_jsonl, ".json": read_json}
NOT_SUPPORTED = {
    ".xls": "Excel 97-2003 workbooks are not read: save it as .xlsx",
    ".et": "WPS workbooks are not read: save it as .xlsx",
    ".txt": "text exports are not read: save it as .csv",
}
STORE_OWNED = frozenset({"signal", "watch", "education_assignment"})  # kept by the store, never imported


class DirectorySource:
    """``fail_fast=True`` raises DataError listing the bad records instead of quarantining them.

    ``mapping`` is a site mapping file (or a parsed ``SiteMapping``) for headers, codes and file names.
    """

    def __init__(
        self, root: str | Path, *, fail_fast: bool = False, mapping: SiteMapping | str | Path | None = None
    ) -> None:
        self.root = Path(root)
        self.name = str(self.root)
        self.fail_fast = fail_fast
        if mapping is None or isinstance(mapping, SiteMapping):
            self.mapping = mapping or SiteMapping()
        else:
            self.mapping = load_mapping(mapping)

    def load(self) -> LoadResult:
        result = self._load()
        if self.fail_fast and result.quarantined:
            raise DataError(
                [
                    Diagnostic(q.location, q.reason, f"{q.field}: {q.message}" if q.field else q.message)
                    for q in result.quarantined
                ]
            )
        return result

    def _load(self) -> LoadResult:
        result = LoadResult()
        if not self.root.is_dir():
            where = SourceLocation(str(self.root))
            result.quarantined.append(QuarantinedRecord(where, "", Reason.UNREADABLE, "not a directory of fact files"))
            return result
        seen: dict[str, dict[str, str]] = {}
        lrmx: list[Path] = []
        for path in sorted(self.root.iterdir()):
            if path.name.startswith(".") or path.is_dir():
                continue
            suffix = path.suffix.lower()
            if suffix == ".lrmx":
                lrmx.append(path)
            elif suffix == ".xlsx":
                self._load_workbook(path, result, seen)
            elif suffix in READERS:
                fact_type = self._fact_type(path.stem, path, result)
                if fact_type is not None:
                    self._load_table(partial(READERS[suffix], path), str(path), fact_type, result, seen)
            else:
                why = NOT_SUPPORTED.get(suffix, "not a fact file (.csv, .xlsx, .json, .jsonl or .lrmx)")
                result.quarantined.append(
                    QuarantinedRecord(
                        SourceLocation(str(path)), "", Reason.UNKNOWN_FILE, f"{why}; the file was skipped"
                    )
                )
        if lrmx:
            from risk_warning.sources.lrmx import load_lrmx

            load_lrmx(lrmx, result, seen)
        _quarantine_dangling(result)
        return result

    def _fact_type(self, name: str, path: Path, result: LoadResult, sheet: str = "") -> str | None:
        fact_type = self.mapping.fact_type(name)
        where = f"{path}#{sheet}" if sheet else str(path)
        if fact_type in STORE_OWNED:
            message = f"'{fact_type}' records are kept by the alert store and cannot be imported; the file was skipped"
            result.quarantined.append(QuarantinedRecord(SourceLocation(where), fact_type, Reason.UNKNOWN_FILE, message))
            return None
        if fact_type is None:
            hint = did_you_mean(name, FACT_MODELS) or "name it after a fact type (appointment.csv) or map it (files:)"
            result.quarantined.append(
                QuarantinedRecord(
                    SourceLocation(where),
                    name,
                    Reason.UNKNOWN_FILE,
                    f"unknown fact type '{name}'; the whole {'sheet' if sheet else 'file'} was skipped ({hint})",
                )
            )
        return fact_type

    def _load_workbook(self, path: Path, result: LoadResult, seen: dict[str, dict[str, str]]) -> None:
        """A workbook named after a fact type is that type (its first sheet); otherwise each sheet by its name."""
        try:
            sheets = list_sheets(path)
        except FileRefused as exc:
            report = FileReport(str(path), self.mapping.fact_type(path.stem) or "", refused=str(exc), encoding="xlsx")
            result.files.append(report)
            result.quarantined.append(
                QuarantinedRecord(SourceLocation(str(path)), report.fact_type, Reason.UNREADABLE, str(exc))
            )
            return
        whole = self.mapping.fact_type(path.stem)
        for index, sheet in enumerate(sheets):
            if whole is not None and index > 0:
                message = f"only the first sheet of a {whole} workbook is read; sheet '{sheet}' was skipped"
                result.quarantined.append(
                    QuarantinedRecord(SourceLocation(f"{path}#{sheet}"), whole, Reason.UNKNOWN_FILE, message)
                )
                continue
            fact_type = whole if whole is not None else self._fact_type(sheet, path, result, sheet)
            if fact_type is not None:
                self._load_table(partial(read_xlsx_sheet, path, sheet), f"{path}#{sheet}", fact_type, result, seen)

    def _load_table(
        self,
        read: Callable[[], RawTable],
        name: str,
        fact_type: str,
        result: LoadResult,
        seen: dict[str, dict[str, str]],
    ) -> None:
        report = FileReport(name, fact_type)
        result.files.append(report)
        try:
            table = read()
        except FileRefused as exc:
            refuse(report, result, str(exc), None)
            return
        report.encoding = table.encoding
        try:
            records = normalise_table(table, fact_type, self.mapping)
        except FileRefused as exc:
            refuse(report, result, str(exc), table)
            return
        report.read = len(table.rows) + len(table.broken)
        for broken in table.broken:
            subjects = _subjects(fact_type, _by_field(table, fact_type, self.mapping, broken.cells))
            location = SourceLocation(name, broken.line)
            result.quarantined.append(
                QuarantinedRecord(location, fact_type, Reason.BROKEN_RECORD, broken.problem, subjects=subjects)
            )
            report.reasons[Reason.BROKEN_RECORD.value] += 1
        for record in records:
            accept(record, table, fact_type, self.mapping, report, result, seen)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.load().facts)


def refuse(report: FileReport, result: LoadResult, why: str, table: RawTable | None) -> None:
    """No record of the file is used; every one of them is counted as quarantined with the file's reason."""
    report.refused = why
    report.read = len(table.rows) + len(table.broken) if table is not None else 0
    if report.read:
        report.reasons["file-refused"] = report.read
    reason = Reason.UNKNOWN_COLUMN if why.startswith("unknown column") else Reason.UNREADABLE
    reason = Reason.MISSING_COLUMN if why.startswith("missing required") else reason
    result.quarantined.append(
        QuarantinedRecord(
            SourceLocation(report.path),
            report.fact_type,
            reason,
            f"{why}; the whole file was refused ({report.read} record(s) not used)",
        )
    )


def accept(
    record: Record,
    table: RawTable,
    fact_type: str,
    mapping: SiteMapping,
    report: FileReport,
    result: LoadResult,
    seen: dict[str, dict[str, str]],
) -> Fact | None:
    """Validate one normalised record; quarantine it (with the subjects it names) or keep it."""
    fact, problems = validate_record(fact_type, record.values)
    problems = [p for p in problems if p[0] not in {f for f, _ in record.problems}]
    problems = record.problems + problems
    subjects = _subjects(fact_type, record.values)

    def quarantine(reason: Reason, message: str, fld: str) -> None:
        col = column_of(table, fact_type, mapping, fld) if fld else 0
        location = SourceLocation(table.name, record.line, col)
        result.quarantined.append(QuarantinedRecord(location, fact_type, reason, message, fld, subjects))

    if problems:
        for fld, message in problems:
            reason = Reason.BAD_DATE if message.startswith("not a date") else Reason.INVALID_VALUE
            quarantine(reason, message, fld)
        report.reasons[
            (Reason.BAD_DATE if problems[0][1].startswith("not a date") else Reason.INVALID_VALUE).value
        ] += 1
        return None
    assert fact is not None
    keys = seen.setdefault(fact_type, {})
    if fact.key in keys:
        quarantine(
            Reason.DUPLICATE_RECORD,
            f"same {fact.key_field} as {keys[fact.key]}; this record was skipped",
            fact.key_field,
        )
        report.reasons[Reason.DUPLICATE_RECORD.value] += 1
        return None
    keys[fact.key] = f"{table.name} row {record.line}"
    fact.mark_origin(SourceLocation(table.name, record.line), record.month_only)
    result.facts.append(fact)
    report.accepted += 1
    return fact


def _by_field(table: RawTable, fact_type: str, mapping: SiteMapping, cells: dict[str, str | None]) -> dict[str, str]:
    known = header_names(fact_type)
    out: dict[str, str] = {}
    for header, value in cells.items():
        name = mapping.column(fact_type, header) or known.get(header) or known.get(header.lower())
        if name is not None and value:
            out[name] = value
    return out


def _subjects(fact_type: str, values: dict[str, str]) -> tuple[str, ...]:
    """The subjects a (possibly broken) record names, read from its raw values (a garbled id names nobody)."""
    model = FACT_MODELS[fact_type]
    out: list[str] = []
    for name in model.subject_fields:
        raw = values.get(name)
        if raw and "\ufffd" not in raw:
            out.extend(v.strip() for v in raw.replace("|", ";").split(";") if v.strip())
    for kind, where in model.partitions.items():
        raw = values.get(where) if ">" not in where else None
        if raw and "\ufffd" not in raw:
            out.append(subject_id(kind, raw.strip()))
    return tuple(out)


def _quarantine_dangling(result: LoadResult) -> None:
    """A record whose strict reference points at nothing, where the referenced type was loaded, is quarantined."""
    loaded = {f.fact_type for f in result.files if not f.refused and f.accepted}
    keys = {f.key for f in result.facts}
    reports = {f.path: f for f in result.files}
    kept: list[Fact] = []
    for fact in result.facts:
        dangling = [
            (fk, target)
            for fk, target in type(fact).references.items()
            if fk in type(fact).strict_references
            and target in loaded
            and getattr(fact, fk) is not None
            and f"{target}:{getattr(fact, fk)}" not in keys
        ]
        if not dangling:
            kept.append(fact)
            continue
        fk, target = dangling[0]
        origin = fact.origin
        report = reports.get(origin.path)
        if report is not None:
            report.accepted -= 1
            report.reasons[Reason.DANGLING_REFERENCE.value] += 1
        message = f"{fk} points at no {target} in this export"
        result.quarantined.append(
            QuarantinedRecord(origin, fact.fact_type, Reason.DANGLING_REFERENCE, message, fk, tuple(fact.subject_ids()))
        )
    result.facts = kept


def summary_lines(files: Sequence[FileReport]) -> list[str]:
    """One line per file: read, accepted, quarantined by reason, or why it was refused."""
    lines = []
    for f in files:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(f.reasons.items()))
        status = f"REFUSED: {f.refused}" if f.refused else f"{f.accepted} accepted, {f.quarantined} quarantined"
        lines.append(f"{f.path} [{f.fact_type}]: {f.read} read, {status}{f' ({reasons})' if reasons else ''}")
    return lines
