"""The ``risk-warning`` command: validate and test rulesets, scan data into graded alerts.

Exit codes: see cli/exit_codes.py (and docs/exit-codes.md).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table
from rich.text import Text

from risk_warning.cli._common import (
    DEFAULT_DB,
    CalendarOpt,
    DbOpt,
    Format,
    FormatOpt,
    RulesOpt,
    SiteOpt,
    data_dir,
    err,
    load_rules,
    out,
    required_date,
)
from risk_warning.cli.alert_lines import Line, changed_lines, held_lines, print_lines
from risk_warning.cli.alerts import app as alerts_app
from risk_warning.cli.audit import audit
from risk_warning.cli.backtest import backtest
from risk_warning.cli.db import app as db_app
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.cli.explain import explain
from risk_warning.cli.fixtures import app as fixtures_app
from risk_warning.cli.keys import app as keys_app
from risk_warning.cli.report import report
from risk_warning.cli.rules import app as rules_app
from risk_warning.cli.scans import app as scans_app
from risk_warning.cli.serve import openapi, serve
from risk_warning.errors import ConfigError, MappingError, RulesetError, ScanRefusedError, StoreUnavailableError
from risk_warning.grade import Grade
from risk_warning.privacy import scrub
from risk_warning.rules.program import Ruleset
from risk_warning.settings import CONFIG_VARIABLE, settings
from risk_warning.store.principal import NotPermittedError

if TYPE_CHECKING:
    from risk_warning.testing.ruletests import TestOutcome

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    help="廉政风险预警 integrity-risk early warning.",
)
app.add_typer(alerts_app, name="alerts")
app.add_typer(fixtures_app, name="fixtures")
app.add_typer(scans_app, name="scans")
app.add_typer(rules_app, name="rules")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.command()(explain)
app.command()(backtest)
app.command()(report)
app.command()(audit)
app.command()(serve)
app.command()(openapi)


PathsArg = Annotated[list[Path], typer.Argument(help="Ruleset files or directories.")]


@app.command()
def validate(paths: PathsArg, site: SiteOpt = None, calendar: CalendarOpt = None) -> None:
    """Check rulesets: schema, expressions, fact fields and types. Reports every problem at file:line:col."""
    rulesets = load_rules(paths, site, calendar)
    _check_engine_limits(rulesets)
    rules = sum(len(rs.rules) for rs in rulesets)
    out.print(f"ok: {len(rulesets)} ruleset(s), {rules} rule(s)")


def _check_engine_limits(rulesets: list[Ruleset]) -> None:
    """Compile once and group for the engine, so a rule beyond its limits fails here, not in a scan."""
    from risk_warning.engine.durable.adapter import group_rules
    from risk_warning.engine.durable.compile import compile_rules
    from risk_warning.errors import EngineLimitError

    try:
        group_rules(compile_rules(rulesets, date.today()).rules)
    except EngineLimitError as exc:
        err.print(f"engine limit: {exc}", markup=False)
        raise typer.Exit(2) from None


@app.command("test")
def test_rules(
    paths: PathsArg,
    site: SiteOpt = None,
    engine: Annotated[str, typer.Option(help="durable or reference")] = "durable",
    calendar: CalendarOpt = None,
    junit: Annotated[Path | None, typer.Option(help="Also write a JUnit XML report here (for CI).")] = None,
) -> None:
    """Run the tests written beside the rules; report per rule; exit 1 when any fails."""
    from risk_warning.rules.overrides import site_tests
    from risk_warning.testing.ruletests import run_rule_tests

    rulesets = load_rules(paths, site, calendar)
    if engine not in ("durable", "reference"):
        err.print("--engine is durable or reference")
        raise typer.Exit(2)
    tests = site_tests(site) if site is not None else []
    report = run_rule_tests(rulesets, evaluator=engine, site_tests=tests)  # type: ignore[arg-type]
    for outcome in report.outcomes:
        if outcome.skipped:
            out.print(f"skip {outcome.rule_id}: {outcome.name} ({outcome.skipped})", markup=False)
        elif not outcome.passed:
            err.print(f"FAIL {outcome.rule_id}: {outcome.name}", markup=False)
            for line in outcome.missing:
                err.print(f"    missing alert:    {line}", markup=False)
            for line in outcome.unexpected:
                err.print(f"    unexpected alert: {line}", markup=False)
            for line in outcome.problems:
                err.print(f"    bad test fact:    {scrub(line)}", markup=False)
    if junit is not None:
        _write_test_report(junit, report.outcomes)
    for rule_id, (ok, total) in sorted(report.per_rule().items()):
        mark = "ok  " if ok == total else "FAIL"
        out.print(f"{mark} {rule_id:<45} {ok}/{total}", markup=False)
    ran = [o for o in report.outcomes if not o.skipped]
    passed = sum(o.passed for o in ran)
    failed = len(ran) - passed
    skipped = len(report.outcomes) - len(ran)
    out.print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""), markup=False)
    if failed:
        raise typer.Exit(1)


def _write_test_report(path: Path, outcomes: Sequence[TestOutcome]) -> None:
    from risk_warning.reports.junit import Case, write_junit

    cases = []
    for o in outcomes:
        lines = [
            *(f"missing alert: {m}" for m in o.missing),
            *(f"unexpected alert: {u}" for u in o.unexpected),
            *(f"bad test fact: {p}" for p in o.problems),
        ]
        failure = None if o.passed or o.skipped else f"{o.rule_id}: {o.name}"
        cases.append(Case(o.rule_id, o.name, failure=failure, details=lines, skipped=o.skipped or None))
    write_junit(path, "risk-warning test", cases)


@app.command()
def scan(
    as_of: Annotated[str, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD).")],
    data: Annotated[
        Path | None,
        typer.Option(
            help="A directory of export files (appointment.csv, cadre.xlsx, *.lrmx ...), or demo "
            "[default: data of the settings, RW_DATA]",
            show_default=False,
        ),
    ] = None,
    rules: RulesOpt = None,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
    site: SiteOpt = None,
    calendar: CalendarOpt = None,
    mapping: Annotated[
        Path | None, typer.Option(help="A site mapping file: the export's file names, headers and value codes.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (0: evaluate in this process). [default: RW_WORKERS or 2]")
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            help="Where subjects are evaluated: inline, processes or dask. "
            "[default: RW_EXECUTOR, else processes, or inline with --workers 0]"
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="A Dask scheduler's address (tcp://host:8786) for --executor dask. "
            "[default: RW_SCHEDULER, else a local cluster of --workers processes]"
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-evaluate every subject (default: only those that may have changed).")
    ] = False,
    accept_drop: Annotated[
        str | None,
        typer.Option("--accept-drop", help="Who accepts a shrunken input (a reorganisation); recorded with the scan."),
    ] = None,
    max_drop: Annotated[
        float | None,
        typer.Option(
            help="Refuse when subjects dropped by more than this share. [default: RW_MAX_SUBJECT_DROP or 0.1]"
        ),
    ] = None,
    max_quarantined: Annotated[
        float | None,
        typer.Option(
            help="Refuse when more than this share of one file's records is quarantined. "
            "[default: RW_MAX_QUARANTINED or 0.01]"
        ),
    ] = None,
    fail_on: Annotated[
        Grade | None, typer.Option("--fail-on", help="Exit 1 when an alert is at this grade or above.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Print every alert that holds, not only what changed tonight.")
    ] = False,
) -> None:
    """Scan the data as of a date: graded alerts printed and stored; bad records quarantined with a reason.

    A night whose input is not whole is refused and changes no alert (exit 4, or 5 for data errors).
    """
    from risk_warning.cli.progress import scan_progress
    from risk_warning.executors.registry import EXECUTORS, make_executor
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scan import scan as run_scan
    from risk_warning.sources.directory import DirectorySource
    from risk_warning.store.repository import AlertStore, ScanInProgressError

    day = required_date(as_of, "--as-of")
    threshold = fail_on
    data = data_dir(data)
    config = settings()
    max_drop = config.max_subject_drop if max_drop is None else max_drop
    max_quarantined = config.max_quarantined if max_quarantined is None else max_quarantined
    workers = config.workers if workers is None else workers
    executor = config.executor if executor is None else executor
    scheduler = config.scheduler if scheduler is None else scheduler
    if executor not in (None, *EXECUTORS):
        err.print(f"--executor is one of {', '.join(EXECUTORS)}, not {executor!r}")
        raise typer.Exit(ExitCode.CONFIG)
    for name, share in (("--max-drop", max_drop), ("--max-quarantined", max_quarantined)):
        if not 0 <= share <= 1:
            err.print(f"{name} is a share between 0 and 1 (0.1 is 10%), not {share}")
            raise typer.Exit(ExitCode.CONFIG)
    rulesets = load_rules(rules, site, calendar)
    try:
        source = DirectorySource(data, mapping=mapping)
    except MappingError as exc:
        for d in exc.diagnostics:
            err.print(scrub(str(d)), markup=False)
        err.print(Text(f"{len(exc.diagnostics)} problem(s) in the mapping file; nothing was run.", style="red"))
        raise typer.Exit(ExitCode.CONFIG) from None
    policy = InputPolicy(max_subject_drop=max_drop, max_quarantined=max_quarantined, accepted_by=accept_drop)
    store = AlertStore(db, setup="create")
    try:
        with closing(make_executor(executor, workers, scheduler)) as evaluating, scan_progress(err) as told:
            result = run_scan(
                rulesets, source, day, store=store, executor=evaluating, full=full, policy=policy, progress=told
            )
    except ScanInProgressError as exc:
        err.print(f"{exc}; nothing was done. Try again when it has finished.", markup=False)
        raise typer.Exit(ExitCode.LEASE_HELD) from None
    except ScanRefusedError as exc:
        _print_refusal(exc)
        raise typer.Exit(ExitCode.DATA_ERRORS if exc.data_errors else ExitCode.REFUSED) from None
    except ConfigError as exc:
        err.print(f"{exc}; nothing was written.", markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None
    else:  # what to print: tonight's changes, or with --all every alert that holds, with their ids
        title: str
        lines: list[Line]
        if show_all:
            held = {a.fingerprint for a in result.alerts}
            lines = held_lines([a for a in store.alerts() if a.fingerprint in held])
            title = f"廉政风险预警 {result.as_of.isoformat()}: 全部 {len(lines)} 条"
        else:
            lines = changed_lines(store.scan_changes(result.scan_id or 0))
            title = f"廉政风险预警 {result.as_of.isoformat()}: 本次变化 {len(lines)} 条 (--all 列出全部)"
    finally:
        store.close()
    _print_scan(result, fmt, lines, title)  # type: ignore[arg-type]
    if result.over_limit:
        err.print("quarantined beyond the limit (those subjects were held back; the rest was written):", markup=False)
        for line in result.over_limit:
            err.print(f"  {scrub(line)}", markup=False)
        raise typer.Exit(ExitCode.DATA_ERRORS)
    if threshold is not None and any(a.grade >= threshold for a in result.alerts):
        raise typer.Exit(ExitCode.FINDINGS)


def _print_refusal(exc: ScanRefusedError) -> None:
    what = "data errors" if exc.data_errors else "the input is not whole"
    err.print(f"scan #{exc.scan_id} REFUSED ({what}); no alert was changed:", markup=False)
    for reason in exc.reasons:
        err.print(f"  {scrub(reason)}", markup=False)
    if exc.data_errors:
        err.print("Fix the export (see `risk-warning scans show` for every file) and scan again.", markup=False)
    else:
        err.print(
            "If the drop is real (a reorganisation), scan again with --accept-drop '<your name>'; "
            "absent subjects keep their alerts either way.",
            markup=False,
        )


@app.command()
def metrics(
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")],
    db: DbOpt = DEFAULT_DB,
    unit: Annotated[str | None, typer.Option(help="One org unit (default: every unit, then overall).")] = None,
    data: Annotated[
        Path | None, typer.Option(help="HR data directory, for education coverage of high-risk posts.")
    ] = None,
    overdue_days: Annotated[int, typer.Option(help="An alert nobody acted on for this long is overdue.")] = 30,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Effectiveness over a period: 抓早抓小 share, repeat rate, education coverage, triage time, overdue work."""
    from risk_warning.reports.metrics import effectiveness, effectiveness_by_unit
    from risk_warning.sources.directory import DirectorySource
    from risk_warning.store.repository import AlertStore

    days = [required_date(start, "--from"), required_date(end, "--to")]
    if days[1] < days[0]:
        err.print(f"--to {end} is before --from {start}")
        raise typer.Exit(2)
    facts = DirectorySource(data_dir(data)).load().facts if data is not None else None
    store = AlertStore(db, setup="existing")
    try:
        if unit is not None:
            reports = [effectiveness(store, days[0], days[1], unit=unit, facts=facts, overdue_days=overdue_days)]
        else:
            reports = effectiveness_by_unit(store, days[0], days[1], facts=facts, overdue_days=overdue_days)
    finally:
        store.close()
    if fmt == "json":
        out.print(json.dumps([r.model_dump(mode="json") for r in reports], ensure_ascii=False, indent=2), markup=False)
        return
    table = Table(title=f"预警成效 {start} .. {end}")
    columns = {
        "unit": "单位",
        "alerts_raised": "新增预警",
        "early_resolution_share": "抓早抓小",
        "repeat_rate": "6个月复发率",
        "education_coverage": "高风险岗位教育覆盖",
        "median_days_to_triage": "研判用时中位(天)",
        "overdue_dispositions": "逾期未处置",
        "overdue_replies": "函询逾期",
        "overdue_rechecks": "复查逾期",
    }
    for title in columns.values():
        table.add_column(title)
    for r in reports:
        values = r.model_dump()
        cells = []
        for key in columns:
            value = values[key]
            if key == "unit":
                cells.append(value or "全部")
            elif isinstance(value, float) and key != "median_days_to_triage":
                cells.append(f"{value:.0%}")
            else:
                cells.append("-" if value is None else str(value))
        table.add_row(*cells)
    out.print(table)


@app.command()
def schedule(
    config: Annotated[Path, typer.Option(help="A schedule file (cron, timezone, data, rules, db, ...).")],
    run_now: Annotated[bool, typer.Option(help="Also run one scan right away.")] = False,
) -> None:
    """Run the nightly scan on a cron schedule, with a persistent job store; stops cleanly on SIGTERM."""
    from risk_warning.run import logs, scheduler
    from risk_warning.store.repository import AlertStore

    logs.configure(settings().log_format)
    if not config.is_file():
        err.print(f"--config {config}: no such file (a schedule file: cron, timezone, data, rules, db)", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    try:
        cfg = scheduler.load_config(config)
    except RulesetError as exc:
        for d in exc.diagnostics:
            err.print(str(d), markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None
    # what every night needs, checked before the first: a schedule that can only fail must not start
    site_file, calendar_file = (Path(f) if f else None for f in (cfg.site, cfg.calendar))
    load_rules([Path(r) for r in cfg.rules], site_file, calendar_file)
    data_dir(Path(cfg.data) if cfg.data else None, f"data in {config}:")
    AlertStore(cfg.db, setup="create").close()  # reachable, and not older than this version
    scheduler.run(cfg, run_now=run_now)


def _print_scan(result: object, fmt: Literal["table", "json"], lines: list[Line], title: str) -> None:
    from risk_warning.run.scan import ScanResult

    assert isinstance(result, ScanResult)
    if fmt == "json":
        payload = {
            "scan_id": result.scan_id,
            "as_of": result.as_of.isoformat(),
            "subjects": result.subjects,
            "facts": result.facts,
            "alerts": [a.model_dump(mode="json") for a in result.alerts],
            "held_subjects": len(result.held_subjects),
            "files": [f.as_dict() for f in result.files],
            "accepted": result.accepted,
            "quarantined": [q.as_dict() for q in result.quarantined],
            "changes": [
                {
                    "id": ln.alert_id,
                    "change": ln.change,
                    "grade": ln.grade.value,
                    "subject": ln.subject,
                    "rule": ln.rule,
                }
                for ln in lines
            ],
        }
        out.print(scrub(json.dumps(payload, ensure_ascii=False, indent=2)), markup=False)
        return
    print_lines(out, title, lines)
    counts = {g: sum(1 for a in result.alerts if a.grade == g) for g in Grade}
    summary = ", ".join(f"{counts[g]} {g.value}" for g in reversed(list(Grade)))
    out.print(
        f"{len(result.alerts)} alert(s) ({summary}) for {result.subjects} subject(s), {result.facts} fact(s); "
        f"{result.new_alerts} new, {result.cleared_alerts} cleared, {result.carried_subjects} subject(s) unchanged "
        f"and not re-evaluated; scan #{result.scan_id}"
    )
    if result.accepted:
        err.print("accepted by --accept-drop (recorded with the scan):", markup=False)
        for line in result.accepted:
            err.print(f"  {line}", markup=False)
    if result.held_subjects:
        shown = ", ".join(sorted(result.held_subjects)[:20]) + (", ..." if len(result.held_subjects) > 20 else "")
        err.print(
            f"{len(result.held_subjects)} subject(s) held back (a record of theirs was quarantined; "
            f"their alerts are unchanged): {shown}",
            markup=False,
        )
    if result.quarantined:
        err.print(f"{len(result.quarantined)} problem(s) in the input:", markup=False)
        for q in result.quarantined:
            err.print("  " + scrub(str(q)), markup=False)
    if result.files:
        from risk_warning.sources.directory import summary_lines

        err.print("data quality:", markup=False)
        for line in summary_lines(result.files):
            err.print("  " + line, markup=False)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        out.print(f"risk-warning {version('risk-warning')}", markup=False)
        raise typer.Exit()


_debug = {"on": False}  # --debug: let errors through with their traceback


@app.callback()
def _read_settings(
    _version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of any error.")] = False,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="A settings file (YAML: db_url, rules, data, workers, ...), under RW_* and flags. [default: "
            "RW_SETTINGS]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Every command starts from valid settings: a bad value exits 2 naming the RW_* variable or the
    settings file's line that gave it."""
    _debug["on"] = debug
    if settings_file is not None:
        os.environ[CONFIG_VARIABLE] = str(settings_file)
        settings.cache_clear()
    try:
        settings()
    except ConfigError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None


def main() -> None:
    """The command line. A configuration error met inside any command (a setting read late, such as the
    token key a sensitive column needs) exits 2 with its message, a store that cannot be used 6, what the
    identity's role or scope does not allow 8, anything unexpected 7 with one line saying it is a bug; never
    a traceback, unless --debug asks for it."""
    try:
        app(prog_name="risk-warning")
    except (ConfigError, StoreUnavailableError, NotPermittedError) as exc:
        if _debug["on"]:
            raise
        err.print(scrub(str(exc)), markup=False)
        if isinstance(exc, NotPermittedError):
            raise SystemExit(ExitCode.NOT_PERMITTED) from None
        raise SystemExit(ExitCode.CONFIG if isinstance(exc, ConfigError) else ExitCode.STORE) from None
    except Exception as exc:  # not an operator's mistake: ours
        if _debug["on"]:
            raise
        said = scrub(f"{type(exc).__name__}: {exc}".splitlines()[0])[:300]
        where = _crash_log(exc)
        kept = f"The traceback is in {where}" if where else "Run the command again with --debug for the traceback"
        err.print(
            f"internal error, a bug in risk-warning: {said}. {kept}; report it with that (personal data masked), "
            "or run the command again with --debug.",
            markup=False,
        )
        raise SystemExit(ExitCode.INTERNAL) from None


def _crash_log(exc: BaseException) -> Path | None:
    """The traceback of an unexpected error, scrubbed, in a file of its own (RW_CRASH_DIR, else the temporary
    directory); None when it cannot be written."""
    import tempfile
    import time
    import traceback

    folder = Path(os.environ.get("RW_CRASH_DIR") or tempfile.gettempdir())
    path = folder / f"risk-warning-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    try:
        path.write_text(scrub(f"risk-warning {' '.join(sys.argv[1:])}\n{text}"), encoding="utf-8")
    except OSError:
        return None
    return path
