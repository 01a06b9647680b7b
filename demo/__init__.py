"""Demo inputs (catalog, logs, portal counters), generated and loaded by the real ingest."""
