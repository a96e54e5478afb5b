"""Synthetic data: a realistic organisation with planted scenarios and the alerts they must produce.

    risk-warning fixtures generate --cadres 10000 --seed 7 --out data/
    risk-warning fixtures score --data data/

``generate`` streams an organisation tree unit by unit to CSV files (memory stays bounded whatever
the size), plants the firing tests of every shipped rule at known subjects, and writes the alerts they
must produce to ``truth/ground_truth.csv``. ``score`` scans the data and prints recall and precision per rule.
"""

from risk_warning.testing.synthetic.generate import GenerateResult, generate
from risk_warning.testing.synthetic.score import RuleScore, score

__all__ = ["GenerateResult", "RuleScore", "generate", "score"]
