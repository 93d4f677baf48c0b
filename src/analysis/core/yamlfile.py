"""Reading YAML with libyaml's C parser when PyYAML has it (several times faster than the pure
Python one: the codebook and the message catalogue are read by every kernel of a build), and, for
files whose problems must be named by line, with the document's nodes and every repeated key."""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import IO, Any

import yaml

#: The safe loader, in C when available (same constructors, same results).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE = "tag:yaml.org,2002:merge"


def safe_load(stream: IO[str] | str) -> Any:
    """:func:`yaml.safe_load`, with the C parser when available."""
    return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 (a safe loader)


@dataclass(frozen=True)
class Document:
    """A YAML document read once: its data, its node tree, the line of each key and its repeated keys."""

    data: Any
    root: yaml.Node | None
    #: Per mapping node, the 1-based line of each key (of its last occurrence, whose value YAML keeps).
    key_lines: dict[yaml.Node, dict[Any, int]]
    #: (1-based line, key) of every key given again in the same mapping; YAML keeps only the last value.
    duplicates: tuple[tuple[int, Any], ...]


class _DuplicateKeyLoader(SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, noting each key that a mapping repeats (safe_load silently keeps the last)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.key_lines: dict[yaml.Node, dict[Any, int]] = {}
        self.duplicates: list[tuple[int, Any]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue                      # the constructor refuses an unhashable key itself
            if key in lines:
                self.duplicates.append((key_node.start_mark.line + 1, key))
            lines[key] = key_node.start_mark.line + 1
        self.key_lines[node] = lines
        return super().construct_mapping(node, deep=deep)


def load_document(text: str) -> Document:
    """Parse `text` once into its data, node tree, key lines and repeated keys; raises :class:`yaml.YAMLError`."""
    loader = _DuplicateKeyLoader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()
    duplicates = tuple(sorted(loader.duplicates, key=lambda found: found[0]))
    return Document(data=data, root=root, key_lines=loader.key_lines, duplicates=duplicates)
