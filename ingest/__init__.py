"""Loading logs, CKAN tracking exports and the catalog into the DuckDB warehouse."""

import os

# numpy (through polars and pyarrow) starts OpenBLAS with a thread per core that wakes and spins
# though nothing here multiplies matrices: about 0.1-0.2 CPU-seconds per million log lines
# taken from the two cores the ingest shares (set before numpy is first imported)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
