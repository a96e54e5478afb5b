"""Planning what to evaluate tonight: subject partitions, indicators, validity horizons, incremental plans."""
