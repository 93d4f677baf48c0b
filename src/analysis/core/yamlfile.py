"""Reading YAML with libyaml's C parser when PyYAML has it (several times faster than the pure
Python one: the codebook and the message catalogue are read by every kernel of a build)."""
from __future__ import annotations

from typing import IO, Any

import yaml

#: The safe loader, in C when available (same constructors, same results).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: IO[str] | str) -> Any:
    """:func:`yaml.safe_load`, with the C parser when available."""
    return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 (a safe loader)
