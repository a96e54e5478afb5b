"""Orchestration: the scan (sources -> plan -> evaluate -> store) and the nightly scheduler."""
