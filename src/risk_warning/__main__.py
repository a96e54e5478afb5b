"""``python -m risk_warning`` runs the CLI."""

from risk_warning.cli.app import main

main()
