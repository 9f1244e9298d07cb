"""Errors raised for bad input.

Messages name the file, the row and the column, never the value of a
personal field (name, phone, address).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputIssue:
    """One thing wrong with one cell (or row, or file) of an input."""

    file: str
    message: str
    row: int | None = None  # 1-based data row; the header is row 0
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.row + 1})"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class InputError(ValueError):
    """Input that cannot be planned; carries every problem found, not only the first."""

    def __init__(self, problems: list[InputIssue]):
        self.problems = list(problems)
        super().__init__(self.render())

    def __reduce__(self):
        # Rebuilt from its problems when it crosses a process boundary (a forked search).
        return type(self), (self.problems,)

    def render(self, limit: int = 50) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)

    @classmethod
    def single(cls, file: str, message: str, row: int | None = None,
               column: str | None = None) -> "InputError":
        return cls([InputIssue(file, message, row, column)])
