"""Arrow column builders in the contract's types: exact decimals, ids, timestamps.

Money and quantities are carried as integers (1/10 000 yuan) and written as
decimal128(18, 4), so that amount = quantity × unit price holds exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sanjianguan.contract.schema import TABLES, ColType, Table

DECIMAL = pa.decimal128(18, 4)
_ARROW_TYPES: dict[ColType, pa.DataType] = {
    ColType.TEXT: pa.string(),
    ColType.INT: pa.int32(),
    ColType.DECIMAL: DECIMAL,
    ColType.DATE: pa.date32(),
    ColType.TIMESTAMP: pa.timestamp("s"),
    ColType.BOOL: pa.bool_(),
}
# Never produced: the raw identity number is what the platform must not receive.
_SKIP = {("patients", "id_card_no")}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema the generator writes for one contract table."""
    return pa.schema(
        [pa.field(c.name, _ARROW_TYPES[c.type]) for c in table.columns if (table.name, c.name) not in _SKIP]
    )


SCHEMAS: dict[str, pa.Schema] = {name: arrow_schema(t) for name, t in TABLES.items()}


def decimal_units(units: npt.NDArray[np.int64]) -> pa.Array:
    """decimal128(18,4) from integers counted in 1/10 000."""
    lo = np.ascontiguousarray(units, dtype=np.int64)
    both = np.empty((len(lo), 2), dtype=np.int64)
    both[:, 0] = lo
    both[:, 1] = np.where(lo < 0, -1, 0)  # two's-complement sign extension to 128 bits
    return pa.Array.from_buffers(DECIMAL, len(lo), [None, pa.py_buffer(both.tobytes())])


def ids(prefix: str, numbers: npt.NDArray[np.int64], width: int) -> pa.Array:
    """Strings `prefix` + zero-padded number, built in Arrow (fast for millions)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def timestamps(seconds: npt.NDArray[np.int64]) -> pa.Array:
    """timestamp[s] (China wall-clock time, no zone) from epoch seconds."""
    return pa.array(np.asarray(seconds, dtype="datetime64[s]"), type=pa.timestamp("s"))


def take(values: pa.Array, index: npt.NDArray[np.int64]) -> pa.Array:
    """values[index] as a plain (non-dictionary) Arrow array."""
    return pc.take(values, pa.array(index, type=pa.int64()))
