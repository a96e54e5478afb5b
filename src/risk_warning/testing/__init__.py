"""Public test helpers: the YAML rule tests, and synthetic organisations with planted ground truth."""
