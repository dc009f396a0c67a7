"""What the benchmark scripts share: the processor they ran on, and their Markdown table printed and
written to ``--out``."""
from __future__ import annotations

import platform
from pathlib import Path


def processor() -> str:
    """The processor's model name (/proc/cpuinfo), for the table's heading: speeds are compared only
    within one run on one processor."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def emit(lines: list[str], out: Path | None) -> None:
    """Print the table and, with ``--out``, write it there."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        out.write_text(text)
