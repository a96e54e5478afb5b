"""``risk-warning fixtures``: generate synthetic data with planted scenarios, and score a scan of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from risk_warning.cli._common import Format, FormatOpt, RulesOpt, err, load_rules, out, required_date
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.privacy import ephemeral_token_key

app = typer.Typer(no_args_is_help=True, help="Synthetic data with planted scenarios and their ground truth.")


@app.command()
def generate(
    cadres: Annotated[int, typer.Option(help="How many cadres in the background organisation.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the fact files to.")],
    seed: Annotated[int, typer.Option(help="The same seed gives the same files.")] = 1,
    as_of: Annotated[str, typer.Option("--as-of", help="The day the data describes.")] = "2026-06-30",
    plant: Annotated[int, typer.Option(help="Instances of each rule's scenario.")] = 2,
    rules: RulesOpt = None,
    overwrite: Annotated[bool, typer.Option(help="Write into OUT even if it holds files (replacing them).")] = False,
) -> None:
    """Write an organisation of CADRES cadres, plus planted scenarios and truth/ground_truth.csv, to OUT.
    OUT must be new or empty unless --overwrite: it may be a real export."""
    from risk_warning.cli.progress import scan_progress
    from risk_warning.testing.synthetic import generate as run

    if cadres < 1 or plant < 1:
        err.print("--cadres and --plant must be at least 1")
        raise typer.Exit(2)
    if out_dir.exists() and not overwrite and (not out_dir.is_dir() or any(out_dir.iterdir())):
        err.print(
            f"--out {out_dir}: {'holds files' if out_dir.is_dir() else 'is a file'}; nothing was written. Give a new "
            "or empty directory, or --overwrite to write into it (files of the same names are replaced)"
        )
        raise typer.Exit(ExitCode.CONFIG)
    rulesets, day = load_rules(rules, None), required_date(as_of, "--as-of")
    with scan_progress(err, "generate", "risk_warning.testing.synthetic") as told:
        result = run(rulesets, out_dir, cadres=cadres, seed=seed, as_of=day, plant_per_rule=plant, progress=told)
    total = sum(result.records.values())
    out.print(
        f"{result.cadres} cadres in {result.units} units, {result.planted} planted scenario(s) expecting "
        f"{result.expected_alerts} alert(s); {total} record(s) in {len(result.records)} file(s) in {out_dir}"
    )
    for rule_id, why in result.not_planted.items():
        out.print(f"  not planted: {rule_id} ({why})", markup=False)


@app.command()
def score(
    data: Annotated[Path, typer.Option(help="A generated directory (with truth/ground_truth.csv).")],
    rules: RulesOpt = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: evaluate in this process).")] = 0,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Scan generated data and print recall and precision per rule; exit 1 unless both are 100%."""
    from rich.table import Table

    from risk_warning.run.scan import scan as run_scan
    from risk_warning.sources.directory import DirectorySource
    from risk_warning.testing.synthetic.generate import MANIFEST
    from risk_warning.testing.synthetic.score import read_ground_truth
    from risk_warning.testing.synthetic.score import score as compare

    manifest_path = data / MANIFEST
    if not manifest_path.is_file():
        err.print(f"--data {data}: no {MANIFEST}; generate the data with `risk-warning fixtures generate`")
        raise typer.Exit(2)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with ephemeral_token_key():  # a scan without a store: its tokens never leave it
        result = run_scan(
            load_rules(rules, None),
            DirectorySource(data),
            required_date(manifest["as_of"], "as_of in the manifest"),
            workers=workers,
        )
    scores = compare(result.alerts, read_ground_truth(data))
    perfect = all(s.missed == 0 and s.extra == 0 for s in scores) and not result.quarantined
    if fmt == "json":
        rows = [{**vars(s), "recall": s.recall, "precision": s.precision} for s in scores]
        out.print_json(json.dumps({"rules": rows, "quarantined": len(result.quarantined), "perfect": perfect}))
    else:
        table = Table("rule", "expected", "found", "missed", "extra", "recall", "precision")
        for s in scores:
            table.add_row(
                s.rule_id, str(s.expected), str(s.found), str(s.missed), str(s.extra),
                f"{s.recall:.0%}", f"{s.precision:.0%}",
            )  # fmt: skip
        out.print(table)
        expected = sum(s.expected for s in scores)
        found = sum(s.found for s in scores)
        extra = sum(s.extra for s in scores)
        out.print(
            f"{result.subjects} subject(s), {len(result.alerts)} alert(s): {found}/{expected} planted found, "
            f"{extra} not planted; {len(result.quarantined)} record(s) quarantined"
        )
    raise typer.Exit(0 if perfect else 1)
