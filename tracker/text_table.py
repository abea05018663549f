"""Plain-text tables for the command line."""

from __future__ import annotations


def format_table(rows: list[list[str]], header: list[str]) -> str:
    """Columns left-aligned and two spaces apart, header first, no trailing spaces."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)
