"""Controls for exploring in JupyterLab: pick an item, a breakdown and a filter, see the protected table.

:func:`controls` returns an ipywidgets panel over a :class:`~analysis.pipeline.explore.Survey`. Every
choice goes through ``survey.table`` (the same statistics, protection and wording as a plain call), and a
request the exploration refuses shows its :class:`~analysis.pipeline.explore.ExploreError` message instead
of a table. ipywidgets is used rather than controls of our own: it is Jupyter's own widget library, which
JupyterLab renders without an extension to install.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from analysis.pipeline.explore import ORGANISATION_TYPE, ExploreError, ExploreTable, Survey

#: The words of the controls, by language.
WORDS = {
    "en": {"item": "Question", "by": "Breakdown", "filter": "Only", "value": "Value", "none": "(everyone)"},
    "nl": {"item": "Vraag", "by": "Uitsplitsing", "filter": "Alleen", "value": "Waarde", "none": "(iedereen)"},
}


@dataclass
class Panel:
    """The controls, the output area and the last answer (a table or the refusal's message)."""

    survey: Survey
    item: widgets.Dropdown
    by: widgets.Dropdown
    within: widgets.Dropdown
    value: widgets.Dropdown
    output: widgets.Output
    last: ExploreTable | str | None = field(default=None)

    @property
    def box(self) -> widgets.VBox:
        """The panel as one widget: the four choices above the table."""
        return widgets.VBox([widgets.HBox([self.item, self.by]), widgets.HBox([self.within, self.value]),
                             self.output])

    def _ipython_display_(self) -> None:
        display(self.box)

    def request(self) -> dict[str, Any]:
        """The current choices as the arguments of ``survey.table``."""
        within = {self.within.value: self.value.value} if self.within.value and self.value.value else None
        return {"item": self.item.value, "by": self.by.value, "within": within}

    def refresh(self, *_: Any) -> None:
        """Recompute the answer for the current choices and show it."""
        try:
            self.last = self.survey.table(**self.request())
        except ExploreError as problem:
            self.last = str(problem)
        self.output.clear_output()
        with self.output:
            display(self.last if isinstance(self.last, ExploreTable) else widgets.HTML(f"<p>{self.last}</p>"))

    def pick_filter(self, *_: Any) -> None:
        """Offer the values of the chosen filter item (none: everyone), then recompute."""
        self.value.options = filter_values(self.survey, self.within.value) if self.within.value else []
        self.refresh()


def filter_values(survey: Survey, name: str) -> list[tuple[str, str]]:
    """The (label, label) choices of a filter item: its answers' words in the survey's language."""
    codebook, lang = survey.ctx.codebook, survey.ctx.lang
    if name == ORGANISATION_TYPE:
        labels = dict.fromkeys(str(v) for v in codebook["organisation"].code_attr("group").values())
    else:
        labels = dict.fromkeys(codebook[name].code_labels(lang).values())
    return [(label, label) for label in labels]


def controls(survey: Survey, item: str | None = None, by: str | None = None) -> Panel:
    """A panel of controls over `survey`, showing the table of `item` by `by` first."""
    words = WORDS[survey.ctx.lang]
    items, breakdowns = survey.items(), survey.breakdowns()
    panel = Panel(
        survey,
        item=widgets.Dropdown(options=items, value=item or items[0], description=words["item"]),
        by=widgets.Dropdown(options=breakdowns, value=by or breakdowns[0], description=words["by"]),
        within=widgets.Dropdown(options=[(words["none"], "")] + [(b, b) for b in breakdowns], value="",
                                description=words["filter"]),
        value=widgets.Dropdown(options=[], description=words["value"]),
        output=widgets.Output())
    for control in (panel.item, panel.by, panel.value):
        control.observe(panel.refresh, names="value")
    panel.within.observe(panel.pick_filter, names="value")
    panel.refresh()
    return panel
