"""The questionnaire codebook: item ids, types, answer codes, labels (nl, en) and themes.

Everything that needs to know what an item is (validation, synthetic generation, tables, figures)
asks this module; nothing else repeats the codebook's lists.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.core.yamlfile import safe_load

from analysis.core.paths import CODEBOOK_PATH

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
class Wave:
    """One wave of the survey (``waves:`` in the codebook, oldest first)."""

    id: str
    labels: dict[str, str]


@dataclass(frozen=True)
class WaveDifference:
    """An item or option that cannot be compared between two waves, and why."""

    theme: str
    item: str
    column: str | None       # the option column of a multi-select item, None for the whole item
    status: str              # "added" (only in the later wave), "dropped" (only in the earlier), "reworded"
    why: dict[str, str]      # reason per language, from the codebook


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
    #: waves the item is asked in (empty: every wave), and why it is missing from the others
    waves: tuple[str, ...] = ()
    not_asked: dict[str, str] = field(default_factory=dict)
    #: wave id -> the wording from that wave on (``nl``, ``en``, ``short``, ``why``)
    reworded: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the wave whose rewording this view of the item shows (None: the original wording)
    wording: str | None = None

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
    #: the survey's waves, oldest first, and the wave this view of the codebook describes
    waves: tuple[Wave, ...] = ()
    wave: str | None = None

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

    # --- waves ---------------------------------------------------------------------------------
    @property
    def wave_ids(self) -> list[str]:
        return [w.id for w in self.waves]

    def wave_label(self, wave: str, lang: str = "en") -> str:
        return next(w.labels[lang] for w in self.waves if w.id == wave)

    def for_wave(self, wave: str) -> "Codebook":
        """The questionnaire as asked in `wave`: its items and options, in its wording.

        Raises KeyError naming the declared waves for an unknown wave."""
        if self.wave == wave:
            return self
        return load_codebook(self.path, wave)

    def differences(self, old: str, new: str) -> list[WaveDifference]:
        """Items and options that cannot be compared between waves `old` and `new`: asked in only
        one of them, or reworded between them (in questionnaire order)."""
        before, after = self.for_wave(old), self.for_wave(new)
        found = []
        universe = _ordered_union(before.items, after.items)
        for item_id in universe:
            a = before[item_id] if item_id in before else None
            b = after[item_id] if item_id in after else None
            some = a or b
            if a is None or b is None:
                status = "added" if a is None else "dropped"
                found.append(WaveDifference(some.theme, item_id, None, status, dict(some.not_asked)))
                continue
            if a.wording != b.wording:
                key = b.wording if b.wording is not None else a.wording
                why = dict((b.reworded.get(key) or a.reworded.get(key) or {}).get("why", {}))
                found.append(WaveDifference(some.theme, item_id, None, "reworded", why))
                continue
            if a.type == "multi":
                codes_a = {o.code: o for o in a.options}
                codes_b = {o.code: o for o in b.options}
                for code in _ordered_union_codes(a.options, b.options):
                    if code in codes_a and code in codes_b:
                        continue
                    option = codes_a.get(code) or codes_b.get(code)
                    found.append(WaveDifference(some.theme, item_id, f"{item_id}_{code}",
                                                "added" if code not in codes_a else "dropped",
                                                dict(option.attrs.get("not_asked", {}))))
        return found

    def comparable(self, old: str, new: str) -> set[str]:
        """Columns asked the same way in both waves (what a comparison may use)."""
        before, after = self.for_wave(old), self.for_wave(new)
        excluded = self.differences(old, new)
        whole = {d.item for d in excluded if d.column is None}
        options = {d.column for d in excluded if d.column is not None}
        return {c for c in set(before.columns()) & set(after.columns())
                if before.column_item()[c].id not in whole and c not in options}


def _ordered_union(first: tuple[Item, ...], second: tuple[Item, ...]) -> list[str]:
    ids = [i.id for i in first]
    for position, item in enumerate(second):
        if item.id not in ids:
            previous = second[position - 1].id if position else None
            ids.insert(ids.index(previous) + 1 if previous in ids else len(ids), item.id)
    return ids


def _ordered_union_codes(first: tuple[Code, ...], second: tuple[Code, ...]) -> list[Any]:
    codes = [o.code for o in first]
    for position, option in enumerate(second):
        if option.code not in codes:
            previous = second[position - 1].code if position else None
            codes.insert(codes.index(previous) + 1 if previous in codes else len(codes), option.code)
    return codes


def _asked(entry: dict, wave: str | None) -> bool:
    """Whether an item or option (raw YAML) is asked in `wave` (no ``waves:`` = every wave)."""
    waves = entry.get("waves")
    return wave is None or not waves or wave in [str(w) for w in waves]


def _codes(raw: list[dict] | None, wave: str | None = None) -> tuple[Code, ...]:
    out = []
    for entry in raw or []:
        if not _asked(entry, wave):
            continue
        entry = dict(entry)
        code = entry.pop("code", entry.pop("id", None))
        labels = {lang: entry.pop(lang) for lang in LANGUAGES if lang in entry}
        dont_know = bool(entry.pop("dont_know", False))
        out.append(Code(code=code, labels=labels, dont_know=dont_know, attrs=entry))
    return tuple(out)


_HINT_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _hint(code: str, hint: Any) -> str:
    """A hint of the automatic first pass as the coder reads it: words (a phrase: words separated by
    spaces), or one word's start followed by ``*``. Anything else could never match, or would match
    every answer ("*"), so it is refused, naming the code."""
    text = str(hint).strip()
    words = text[:-1] if text.endswith("*") else text
    ok = bool(words) and all(_HINT_WORD.fullmatch(w) for w in words.split()) and (
        not text.endswith("*") or len(words.split()) == 1)
    if not ok:
        raise ValueError(f"codebook: hint {hint!r} of code {code!r}: a hint is a word or phrase of letters, or one "
                         "word's start followed by '*' (e.g. getuig*)")
    return text


def _frame(raw: list[dict] | None) -> tuple[FrameCode, ...]:
    return tuple(FrameCode(code=str(e["code"]), labels={lang: e[lang] for lang in LANGUAGES},
                           definition=dict(e.get("definition", {})),
                           hints=tuple(_hint(str(e["code"]), h) for h in e.get("hints", [])),
                           other=bool(e.get("other", False))) for e in raw or [])


def parse_codebook(raw: dict, path: Path, wave: str | None = None) -> Codebook:
    """Build a :class:`Codebook` from its parsed YAML; scales are resolved into item codes.

    The view is of one wave (`wave`, default the first declared): the items and options asked in
    it, in its wording. KeyError for a wave the codebook does not declare.
    """
    waves = tuple(Wave(str(w["id"]), {lang: str(w[lang]) for lang in LANGUAGES}) for w in raw.get("waves", []))
    order = [w.id for w in waves]
    if wave is None and order:
        wave = order[0]
    if wave is not None and wave not in order:
        raise KeyError(f"wave {wave!r} is not declared in the codebook {path}; waves are {order}")
    scales = raw.get("scales", {})
    items = []
    for entry in raw["items"]:
        if not _asked(entry, wave):
            continue
        entry = dict(entry)
        scale = entry.pop("scale", None)
        codes = _codes(scales[scale]["codes"]) if scale else _codes(entry.pop("codes", None))
        reworded = {str(k): v for k, v in (entry.pop("reworded", None) or {}).items()}
        wording = max((k for k in reworded if wave is not None and order.index(k) <= order.index(wave)),
                      key=order.index, default=None)
        text = {lang: entry.pop(lang) for lang in LANGUAGES if lang in entry}
        short = entry.pop("short", {}) or {}
        if wording is not None:
            text = {lang: reworded[wording].get(lang, text.get(lang)) for lang in text}
            short = reworded[wording].get("short", short)
        items.append(
            Item(
                id=entry.pop("id"),
                theme=entry.pop("theme"),
                type=entry.pop("type"),
                text=text,
                short=short,
                codes=codes,
                options=_codes(entry.pop("options", None), wave),
                scale=scale,
                grid=entry.pop("grid", None),
                required=bool(entry.pop("required", True)),
                groups=_codes(entry.pop("groups", None)),
                frame=_frame(entry.pop("frame", None)),
                waves=tuple(str(w) for w in entry.pop("waves", None) or ()),
                not_asked=dict(entry.pop("not_asked", None) or {}),
                reworded=reworded,
                wording=wording,
                attrs=entry,
            )
        )
    themes = tuple((t["id"], {lang: t[lang] for lang in LANGUAGES}) for t in raw["themes"])
    return Codebook(version=str(raw.get("version", "")), title=raw.get("title", {}),
                    themes=themes, items=tuple(items), path=path, waves=waves, wave=wave)


@lru_cache(maxsize=16)
def load_codebook(path: str | Path | None = None, wave: str | None = None) -> Codebook:
    """Read the codebook (the bundled ``data/codebook.yaml`` unless another path is given), as
    asked in `wave` (default: the first wave it declares)."""
    path = Path(path) if path is not None else CODEBOOK_PATH
    with open(path, encoding="utf-8") as fh:
        return parse_codebook(safe_load(fh), path, wave)
