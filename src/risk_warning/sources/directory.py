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

import gc
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import polars as pl

from risk_warning.errors import DataError, Diagnostic, Reason, SourceLocation, did_you_mean
from risk_warning.facts._base import Fact
from risk_warning.facts.registry import FACT_MODELS, STORE_OWNED
from risk_warning.sources.base import LINE, SEQ, FactTable, FileReport, LoadResult, QuarantinedRecord
from risk_warning.sources.columns import normalise_table
from risk_warning.sources.intake import accept, by_field, drop_duplicates, refuse, subjects_named
from risk_warning.sources.mapping import SiteMapping, load_mapping
from risk_warning.sources.readers import (
    BrokenRecord,
    FileRefused,
    LineStream,
    RawTable,
    read_csv,
    read_json,
    read_jsonl,
    read_xlsx_sheet,
)
from risk_warning.sources.readers import xlsx_sheets as list_sheets
from risk_warning.sources.spill import SpillDir, spill_wanted

READERS = {".csv": read_csv, ".jsonl": read_jsonl, ".json": read_json}
NOT_SUPPORTED = {
    ".xls": "Excel 97-2003 workbooks are not read: save it as .xlsx",
    ".et": "WPS workbooks are not read: save it as .xlsx",
    ".txt": "text exports are not read: save it as .csv",
}


class DirectorySource:
    """``fail_fast=True`` raises DataError listing the bad records instead of quarantining them.

    ``mapping`` is a site mapping file (or a parsed ``SiteMapping``) for headers, codes and file names.
    ``by_column=False`` validates every record by its pydantic model (the reference the column checks of
    ``typed.py`` are tested against). ``spill`` keeps the accepted rows on disk (sources/spill.py): by
    default when the files are larger than one scan bucket (``RW_SCAN_BUCKET_MB``).
    """

    def __init__(
        self,
        root: str | Path,
        *,
        fail_fast: bool = False,
        mapping: SiteMapping | str | Path | None = None,
        by_column: bool = True,
        spill: bool | None = None,
    ) -> None:
        self.root = Path(root)
        self.spill = spill
        self.name = str(self.root)
        self.fail_fast = fail_fast
        self.by_column = by_column
        if mapping is None or isinstance(mapping, SiteMapping):
            self.mapping = mapping or SiteMapping()
        else:
            self.mapping = load_mapping(mapping)

    def load(self) -> LoadResult:
        # hundreds of thousands of new facts and no reference cycles: the cyclic collector would rescan the
        # growing heap again and again (measured: a third of the load time) for nothing to collect
        enabled = gc.isenabled()
        gc.disable()
        try:
            result = self._load()
        finally:
            if enabled:
                gc.enable()
        if self.fail_fast and result.quarantined:
            raise DataError(
                [
                    Diagnostic(q.location, q.reason, f"{q.field}: {q.message}" if q.field else q.message)
                    for q in result.quarantined
                ]
            )
        return result

    def _load(self) -> LoadResult:
        if not self.root.is_dir():
            result = LoadResult()
            where = SourceLocation(str(self.root))
            result.quarantined.append(QuarantinedRecord(where, "", Reason.UNREADABLE, "not a directory of fact files"))
            return result
        entries = [p for p in sorted(self.root.iterdir()) if not p.name.startswith(".") and not p.is_dir()]
        paths = [p for p in entries if p.is_file()]  # follows links: a link to a regular file is one
        size = sum(p.stat().st_size for p in paths)
        spill = spill_wanted(size) if self.spill is None else self.spill
        result = LoadResult(spill=SpillDir() if spill else None)
        result.input_bytes = size
        for special in (p for p in entries if not p.is_file()):
            self._refuse_special(special, result)
        if any(p.suffix.lower() == ".lrmx" for p in paths):
            result.identities = {}  # forms are tied to cadres by ID number
        lrmx: list[Path] = []
        for path in paths:
            suffix = path.suffix.lower()
            if suffix == ".lrmx":
                lrmx.append(path)
            elif suffix == ".xlsx":
                self._load_workbook(path, result)
            elif suffix in READERS:
                fact_type = self._fact_type(path.stem, path, result)
                if fact_type is not None:
                    self._load_table(partial(READERS[suffix], path), str(path), fact_type, result)
            else:
                why = NOT_SUPPORTED.get(suffix, "not a fact file (.csv, .xlsx, .json, .jsonl or .lrmx)")
                result.quarantined.append(
                    QuarantinedRecord(
                        SourceLocation(str(path)), "", Reason.UNKNOWN_FILE, f"{why}; the file was skipped"
                    )
                )
        result.seal()
        if lrmx:
            from risk_warning.sources.lrmx import load_lrmx

            load_lrmx(lrmx, result)
        result.identities = None
        drop_duplicates(result)
        _quarantine_dangling(result)
        return result

    def _refuse_special(self, path: Path, result: LoadResult) -> None:
        """A named pipe, a device, or a link that leads nowhere (broken, a loop) is never opened: reading a
        pipe would wait for ever, a device (/dev/zero) never ends. Named after a fact type, it is a refused
        file (the night's input is not whole); otherwise it is reported and skipped."""
        why = "not a regular file (a named pipe, a device, a broken link or a link loop); it was not opened"
        fact_type = self.mapping.fact_type(path.stem)
        if fact_type is not None and fact_type not in STORE_OWNED:
            result.files.append(FileReport(str(path), fact_type, refused=why, encoding=""))
        result.quarantined.append(QuarantinedRecord(SourceLocation(str(path)), fact_type or "", Reason.UNREADABLE, why))

    def _fact_type(self, name: str, path: Path, result: LoadResult, sheet: str = "") -> str | None:
        fact_type = self.mapping.fact_type(name)
        where = f"{path}#{sheet}" if sheet else str(path)
        if fact_type in STORE_OWNED:
            message = (
                f"'{fact_type}' records are kept by the alert store and never read from an export (a file of them "
                "would forge alert history); the file was skipped: remove it from the export"
            )
            result.quarantined.append(QuarantinedRecord(SourceLocation(where), fact_type, Reason.STORE_OWNED, message))
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

    def _load_workbook(self, path: Path, result: LoadResult) -> None:
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
                self._load_table(partial(read_xlsx_sheet, path, sheet), f"{path}#{sheet}", fact_type, result)

    def _load_table(
        self,
        read: Callable[[], RawTable],
        name: str,
        fact_type: str,
        result: LoadResult,
    ) -> None:
        report = FileReport(name, fact_type)
        result.files.append(report)
        try:
            table = read()
        except FileRefused as exc:
            refuse(report, result, exc, None)
            return
        report.encoding = table.encoding
        report.read = table.size
        try:
            records = normalise_table(table, fact_type, self.mapping, by_column=self.by_column)  # consumes table.rows
        except FileRefused as exc:
            refuse(report, result, exc, table)
            return
        found = len(table.broken)  # a file read a window at a time finds its broken records as it goes
        self._broken(table.broken[:found], name, fact_type, report, result)
        stream = table.block if isinstance(table.block, LineStream) else None
        for record in records:
            accept(record, table, fact_type, self.mapping, report, result)
        if stream is not None:
            report.read = stream.height  # its records are known once read (blank lines left out)
        self._broken(table.broken[found:], name, fact_type, report, result)

    def _broken(
        self, broken: list[BrokenRecord], name: str, fact_type: str, report: FileReport, result: LoadResult
    ) -> None:
        for record in broken:
            subjects = subjects_named(fact_type, by_field(fact_type, self.mapping, record.cells))
            location = SourceLocation(name, record.line)
            result.quarantined.append(
                QuarantinedRecord(location, fact_type, Reason.BROKEN_RECORD, record.problem, subjects=subjects)
            )
            report.reasons[Reason.BROKEN_RECORD.value] += 1

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.load().facts)


def _quarantine_dangling(result: LoadResult) -> None:
    """A record whose strict reference points at nothing, where the referenced type was loaded, is quarantined.

    The keys are compared as columns (a province's posts are a million keys: never a Python set of them);
    only the few records found are made into facts, to name the first reference that points at nothing."""
    loaded = {f.fact_type for f in result.files if not f.refused and f.accepted}
    strict = {name for name, model in FACT_MODELS.items() if model.strict_references}
    present = {f.fact_type for _, f in result.objects} | {t.fact_type for t in result.tables}
    if not strict & present:
        return
    targets = {FACT_MODELS[s].references[fk] for s in strict for fk in FACT_MODELS[s].strict_references} & loaded
    key_fields = {t: FACT_MODELS[t].key_field for t in targets}
    frames = result.frames({t: [key_fields[t]] for t in targets})
    keys = {
        t: frames[t].get_column(key_fields[t]).cast(pl.String).unique().implode()
        if t in frames
        else pl.Series([], dtype=pl.String).implode()
        for t in targets
    }
    suspects: list[tuple[int, Fact, SourceLocation, FileReport | None]] = []
    for seq, fact in result.objects:
        if fact.fact_type in strict:
            report, source, line, _ = result.origins.get(seq, (None, "", 0, 0))
            suspects.append((seq, fact, SourceLocation(source, line), report))
    for table in result.tables:
        model = FACT_MODELS[table.fact_type]
        if table.fact_type not in strict:
            continue
        suspect = pl.lit(False)
        for fk in model.strict_references:
            target = model.references[fk]
            if target in keys:
                suspect = suspect | (pl.col(fk).is_not_null() & ~pl.col(fk).cast(pl.String).is_in(keys[target]))
        hits = table.frame.filter(suspect)
        if hits.is_empty():
            continue
        lines = dict(hits.select(SEQ, LINE).iter_rows())
        for seq, fact in FactTable(table.fact_type, hits, table.make).facts():
            suspects.append((seq, fact, SourceLocation(table.name, lines[seq]), table.report))
        table.frame = table.frame.filter(~suspect)
    known = _known(keys, [fact for _, fact, _, _ in suspects])
    found = [(seq, fact, *d, where, report) for seq, fact, where, report in suspects if (d := _dangling(fact, known))]
    gone = {seq for seq, *_ in found}
    result.objects = [(seq, f) for seq, f in result.objects if seq not in gone]
    for _, fact, fk, target, origin, report in sorted(found, key=lambda item: item[0]):
        if report is not None:
            report.accepted -= 1
            report.reasons[Reason.DANGLING_REFERENCE.value] += 1
        message = f"{fk} points at no {target} in this export"
        result.quarantined.append(
            QuarantinedRecord(origin, fact.fact_type, Reason.DANGLING_REFERENCE, message, fk, tuple(fact.subject_ids()))
        )


def _known(keys: dict[str, pl.Series], facts: Sequence[Fact]) -> dict[str, set[str]]:
    """Per loaded target type, which of the keys these facts' strict references give exist."""
    asked: dict[str, set[str]] = {t: set() for t in keys}
    for fact in facts:
        model = type(fact)
        for fk in model.strict_references:
            value = getattr(fact, fk)
            if value is not None and model.references[fk] in asked:
                asked[model.references[fk]].add(str(value))
    found: dict[str, set[str]] = {}
    for target, values in asked.items():
        given = pl.Series(sorted(values), dtype=pl.String)
        found[target] = set(given.filter(given.is_in(keys[target])).to_list())
    return found


def _dangling(fact: Fact, known: dict[str, set[str]]) -> tuple[str, str] | None:
    """The first strict reference of a record that points at nothing loaded, as (field, target type)."""
    model = type(fact)
    for fk, target in model.references.items():
        value = getattr(fact, fk)
        if fk in model.strict_references and target in known and value is not None and str(value) not in known[target]:
            return fk, target
    return None


def summary_lines(files: Sequence[FileReport]) -> list[str]:
    """One line per file: read, accepted, quarantined by reason, or why it was refused."""
    lines = []
    for f in files:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(f.reasons.items()))
        status = f"REFUSED: {f.refused}" if f.refused else f"{f.accepted} accepted, {f.quarantined} quarantined"
        lines.append(f"{f.path} [{f.fact_type}]: {f.read} read, {status}{f' ({reasons})' if reasons else ''}")
    return lines
