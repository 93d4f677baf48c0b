"""The questionnaire codebook: item ids, types, answer codes, labels (nl, en) and themes.

Everything that needs to know what an item is (validation, synthetic generation, tables, figures)
asks this module; nothing else repeats the codebook's lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .yamlfile import safe_load

from .paths import CODEBOOK_PATH

LANGUAGES = ("en", "nl")
ITEM_TYPES = ("identifier", "flag", "weight", "single", "ordinal", "rating", "multi", "open")
#: Types whose export cells hold one answer code.
CODED_TYPES = ("single", "ordinal", "rating")


@dataclass(frozen=True)
class Code:
    """One answer code of an item (or one option of a multi-select item)."""

    code: Any
    labels: dict[str, str]
    dont_know: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameCode:
    """One code of an open question's coding frame: labels, a definition for coders, hints for the
    automatic first pass (see :mod:`analysis.coding`)."""

    code: str
    labels: dict[str, str]
    definition: dict[str, str]
    hints: tuple[str, ...] = ()
    other: bool = False


@dataclass(frozen=True)
class Item:
    """One questionnaire item as the codebook defines it."""

    id: str
    theme: str
    type: str
    text: dict[str, str]
    short: dict[str, str]
    codes: tuple[Code, ...] = ()
    options: tuple[Code, ...] = ()
    scale: str | None = None
    grid: str | None = None
    required: bool = True
    groups: tuple[Code, ...] = ()
    frame: tuple[FrameCode, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Export/survey-frame columns of this item (one per option for multi-select)."""
        if self.type == "multi":
            return [f"{self.id}_{o.code}" for o in self.options]
        return [self.id]

    @property
    def category_codes(self) -> list[Any]:
        """All answer codes in codebook order (substantive answers first, then don't know)."""
        return [c.code for c in self.codes if not c.dont_know] + self.dont_know_codes

    @property
    def substantive_codes(self) -> list[Any]:
        """Answer codes that are real answers on the scale (not "don't know")."""
        return [c.code for c in self.codes if not c.dont_know]

    @property
    def dont_know_codes(self) -> list[Any]:
        """Codes meaning "don't know" / "prefer not to say": answered, but not on the scale."""
        return [c.code for c in self.codes if c.dont_know]

    def label(self, lang: str = "en", short: bool = True) -> str:
        """The item's reader-facing label: the short form for charts, else the question text."""
        if short and self.short:
            return self.short[lang]
        return self.text[lang]

    def code_labels(self, lang: str = "en") -> dict[Any, str]:
        """Answer code -> label in `lang`, in codebook order (options for multi-select)."""
        return {c.code: c.labels[lang] for c in (self.options or self.codes)}

    def code_attr(self, name: str) -> dict[Any, Any]:
        """Answer code -> value of an extra attribute (e.g. organisation ``group``)."""
        return {c.code: c.attrs.get(name) for c in self.codes}


@dataclass(frozen=True)
class Codebook:
    """The whole questionnaire: themes in report order, scales, and items in questionnaire order."""

    version: str
    title: dict[str, str]
    themes: tuple[tuple[str, dict[str, str]], ...]
    items: tuple[Item, ...]
    path: Path

    def __getitem__(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{item_id!r} is not an item of the codebook {self.path}")

    def __contains__(self, item_id: str) -> bool:
        return any(item.id == item_id for item in self.items)

    @property
    def theme_ids(self) -> list[str]:
        return [t for t, _ in self.themes]

    def theme_label(self, theme: str, lang: str = "en") -> str:
        return dict(self.themes)[theme][lang]

    def items_of(self, theme: str, type: str | None = None) -> list[Item]:
        """Items of one theme (optionally of one type), in questionnaire order."""
        if theme not in self.theme_ids:
            raise KeyError(f"{theme!r} is not a theme; themes are {self.theme_ids}")
        return [i for i in self.items if i.theme == theme and (type is None or i.type == type)]

    def grid(self, name: str) -> list[Item]:
        """Items of one rating grid (rated by the same respondents), in questionnaire order."""
        found = [i for i in self.items if i.grid == name]
        if not found:
            raise KeyError(f"{name!r} is not a grid of the codebook")
        return found

    def labels(self, item_id: str, lang: str = "en") -> dict[Any, str]:
        """Answer code -> label of one item in one language."""
        return self[item_id].code_labels(lang)

    def categories(self, item_id: str) -> list[Any]:
        """Ordered answer codes of one item (don't know last)."""
        return self[item_id].category_codes

    def columns(self) -> list[str]:
        """Every export column the codebook defines, in questionnaire order."""
        return [col for item in self.items for col in item.columns]

    def column_item(self) -> dict[str, Item]:
        """Export column -> the item it belongs to."""
        return {col: item for item in self.items for col in item.columns}


def _codes(raw: list[dict] | None) -> tuple[Code, ...]:
    out = []
    for entry in raw or []:
        entry = dict(entry)
        code = entry.pop("code", entry.pop("id", None))
        labels = {lang: entry.pop(lang) for lang in LANGUAGES if lang in entry}
        dont_know = bool(entry.pop("dont_know", False))
        out.append(Code(code=code, labels=labels, dont_know=dont_know, attrs=entry))
    return tuple(out)


def _frame(raw: list[dict] | None) -> tuple[FrameCode, ...]:
    return tuple(FrameCode(code=str(e["code"]), labels={lang: e[lang] for lang in LANGUAGES},
                           definition=dict(e.get("definition", {})), hints=tuple(str(h) for h in e.get("hints", [])),
                           other=bool(e.get("other", False))) for e in raw or [])


def parse_codebook(raw: dict, path: Path) -> Codebook:
    """Build a :class:`Codebook` from its parsed YAML; scales are resolved into item codes."""
    scales = raw.get("scales", {})
    items = []
    for entry in raw["items"]:
        entry = dict(entry)
        scale = entry.pop("scale", None)
        codes = _codes(scales[scale]["codes"]) if scale else _codes(entry.pop("codes", None))
        items.append(
            Item(
                id=entry.pop("id"),
                theme=entry.pop("theme"),
                type=entry.pop("type"),
                text={lang: entry.pop(lang) for lang in LANGUAGES if lang in entry},
                short=entry.pop("short", {}) or {},
                codes=codes,
                options=_codes(entry.pop("options", None)),
                scale=scale,
                grid=entry.pop("grid", None),
                required=bool(entry.pop("required", True)),
                groups=_codes(entry.pop("groups", None)),
                frame=_frame(entry.pop("frame", None)),
                attrs=entry,
            )
        )
    themes = tuple((t["id"], {lang: t[lang] for lang in LANGUAGES}) for t in raw["themes"])
    return Codebook(version=str(raw.get("version", "")), title=raw.get("title", {}),
                    themes=themes, items=tuple(items), path=path)


@lru_cache(maxsize=8)
def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read the codebook (the bundled ``data/codebook.yaml`` unless another path is given)."""
    path = Path(path) if path is not None else CODEBOOK_PATH
    with open(path, encoding="utf-8") as fh:
        return parse_codebook(safe_load(fh), path)
