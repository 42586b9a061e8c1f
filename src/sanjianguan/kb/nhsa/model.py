"""What a spreadsheet family produces: item limits, relations, reported rows and counts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRow:
    """Where a value came from: file, sheet and spreadsheet row (header = 1)."""

    file: str
    sheet: str
    row: int

    def __str__(self) -> str:
        return f"{self.file} [{self.sheet}] 第{self.row}行/row {self.row}"


@dataclass(frozen=True)
class Issue:
    """A row that could not be imported (无法导入的行), with the reason."""

    source: SourceRow
    reason: str


@dataclass(frozen=True)
class ItemPatch:
    """Limits to set on one national code (`ref_items` columns → normalised text)."""

    item_code: str
    name: str
    kind: str
    item_type: str | None
    values: tuple[tuple[str, str], ...]
    source: SourceRow


@dataclass(frozen=True)
class Relation:
    """One `ref_item_relations` row and where it came from."""

    item_a: str
    item_b: str
    relation: str
    source: SourceRow


@dataclass
class SheetCount:
    """Rows read, imported and reported for one sheet: read = imported + reported."""

    file: str
    sheet: str
    read: int = 0
    imported: int = 0
    reported: int = 0


@dataclass
class FamilyResult:
    """Everything one spreadsheet yields."""

    patches: list[ItemPatch] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    counts: list[SheetCount] = field(default_factory=list)

    def count(self, source: SourceRow) -> SheetCount:
        """The counter of a source's sheet (created on first use)."""
        for counter in self.counts:
            if (counter.file, counter.sheet) == (source.file, source.sheet):
                return counter
        counter = SheetCount(source.file, source.sheet)
        self.counts.append(counter)
        return counter

    def imported(self, source: SourceRow) -> None:
        counter = self.count(source)
        counter.read += 1
        counter.imported += 1

    def report(self, source: SourceRow, reason: str) -> None:
        counter = self.count(source)
        counter.read += 1
        counter.reported += 1
        self.issues.append(Issue(source, reason))


class Unrepresentable(Exception):
    """Raised by a row interpreter: the row's meaning has no place in the knowledge base."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
