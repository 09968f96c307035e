"""Stage bookkeeping: a progress display while a stage runs and a one-line summary at its end.

Every pipeline stage reports how many records came in, went out and were quarantined,
and how long it took. The summary goes to stderr so that stdout stays parseable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")

console = Console(stderr=True, highlight=False)


@dataclass
class StageReport:
    """Counts a stage accumulates; ``summary()`` renders the closing line."""

    name: str
    records_in: int = 0
    records_out: int = 0
    quarantined: int = 0
    extra: dict[str, int | float | str] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        """Wall-clock seconds since the stage started (for the log line only, never outputs)."""
        return time.perf_counter() - self.started

    def summary(self) -> str:
        """One line: stage, in, out, quarantined, extra counts, seconds."""
        parts = [
            f"[{self.name}]",
            f"in={self.records_in}",
            f"out={self.records_out}",
            f"quarantined={self.quarantined}",
        ]
        parts += [f"{k}={v}" for k, v in self.extra.items()]
        parts.append(f"seconds={self.seconds:.2f}")
        return " ".join(parts)

    def emit(self) -> None:
        """Print the summary line to stderr."""
        console.print(self.summary(), soft_wrap=True, markup=False)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (hidden when stderr is not a terminal); yields ``advance(n)``."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a rich progress bar on stderr (hidden when stderr is not a terminal)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress(description, total) as advance:
        for item in items:
            yield item
            advance(1)
