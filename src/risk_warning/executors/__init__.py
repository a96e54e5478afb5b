"""Where partitions are evaluated: in worker processes today (crash isolation, bisection)."""
