"""One subject, end to end: indicators, the engine's phases, alerts and escalation."""
