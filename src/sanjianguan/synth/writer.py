"""Streaming batch writer: one folder per settlement month, one file per table.

Rows are appended as row groups as they are generated, so memory stays bounded by
one chunk whatever the scale.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sanjianguan.contract.schema import CONTRACT_VERSION, TABLES
from sanjianguan.synth.arrowcols import SCHEMAS

Columns = dict[str, Any]


def to_table(name: str, columns: Columns) -> pa.Table:
    """An Arrow table in the contract schema; absent columns are written as nulls."""
    schema = SCHEMAS[name]
    n = len(next(iter(columns.values())))
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            arrays.append(pa.nulls(n, type=field.type))
        elif isinstance(value, pa.Array | pa.ChunkedArray):
            arrays.append(value.cast(field.type) if value.type != field.type else value)
        else:
            arrays.append(pa.array(value, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


class BatchWriter:
    """Writes one batch folder (manifest + a file per table) incrementally."""

    def __init__(self, folder: Path, period: str, produced_at: str, fmt: str = "parquet") -> None:
        self.folder = folder
        self.fmt = fmt
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {
            "contract_version": CONTRACT_VERSION,
            "period": period,
            "kind": "full",
            "produced_at": produced_at,
        }
        (folder / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
        self._writers: dict[str, pq.ParquetWriter | pacsv.CSVWriter] = {}
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)

    def write(self, name: str, columns: Columns) -> None:
        """Append rows (a dict of equal-length columns) to table `name`."""
        if not columns or len(next(iter(columns.values()))) == 0:
            return
        table = to_table(name, columns)
        writer = self._writers.get(name)
        if writer is None:
            writer = self._open(name)
        writer.write_table(table)
        self.rows[name] += table.num_rows

    def write_table(self, name: str, table: pa.Table) -> None:
        """Append an Arrow table already in the contract schema (see `to_table`)."""
        if table.num_rows == 0:
            return
        writer = self._writers.get(name) or self._open(name)
        writer.write_table(table)
        self.rows[name] += table.num_rows

    def _open(self, name: str) -> pq.ParquetWriter | pacsv.CSVWriter:
        schema = SCHEMAS[name]
        writer: pq.ParquetWriter | pacsv.CSVWriter
        if self.fmt == "csv":
            writer = pacsv.CSVWriter(str(self.folder / f"{name}.csv"), schema)
        else:
            writer = pq.ParquetWriter(str(self.folder / f"{name}.parquet"), schema, compression="zstd")
        self._writers[name] = writer
        return writer

    def close(self) -> None:
        """Close every file; tables that got no rows are written empty (header only)."""
        for name in TABLES:
            if name not in self._writers:
                self._open(name)
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
