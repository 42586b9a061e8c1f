"""Engine adapters: the same compiled rule SQL on DuckDB (default) or Spark."""
