"""Step 2 panel: choose the client's feedback file, confirm how its columns map, load it, read the report.

The facilitator (or consultant) picks a file (a path in the workshop folder, or one uploaded, which is saved
into the workshop folder: raw data never leaves it), sees its first rows, and corrects the suggested
mapping: one dropdown per canonical field and per pillar; per score (pillars, recommend, the overall rating)
its scale, its missing codes and, for scale ``labels``, its labels' points, with the rule they make in words
beside them; the advocate flag, the touchpoint value map and the date order. What the suggestion was sure of,
and what it left for the consultant to decide, is listed above the dropdowns. "Confirm mapping and load"
saves ``mapping.yml`` and loads the feedback with a progress bar, then shows the validation report in plain
words. The set-aside rows can be written to ``exports/``. A panel below it (the verbatim explorer) follows
each load through ``when_loaded``.

No rule lives here: suggesting, saving and checking a mapping is ``workshop.feedback.mapping``, loading and
the report are ``workshop.feedback.load``, the scrub of anything shown is ``workshop.feedback.privacy`` (with
the mapping's rules; a column whose heading looks personal is hidden in the preview), and the names offered
for the do-not-show list after a load are ``workshop.feedback.names``.
Whatever was typed stays in the widgets when something fails; the failure shows as a plain message.
"""

from __future__ import annotations

import copy
import html
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workshop.errors import WorkshopError
from workshop.feedback.advocates import PASSIVE_MAX
from workshop.feedback.load import LoadedFeedback, load_workshop_feedback
from workshop.feedback.mapping import (
    COLUMN_ONLY_FIELDS,
    FIELDS,
    MAPPING_FILE,
    AdvocateRule,
    FeedbackMapping,
    Source,
    load_mapping,
    save_mapping,
    source_path,
)
from workshop.feedback.names import names_in_comments, names_offer
from workshop.feedback.privacy import privacy_rules
from workshop.feedback.readers import KINDS, read_preview
from workshop.feedback.scales import SCALES, is_missing, scale_table
from workshop.feedback.suggest import suggest_mapping
from workshop.files import atomic_write_bytes, stamp_of
from workshop.promise import Promise, load_promise
from workshop.ui.draft import restore, shown_values
from workshop.ui.feedback_report_html import GREEN, INK, RED, notes_html, preview_table_html, report_html, shown_value
from workshop.ui.guard import guarded, problem_text

NOT_IN_FILE = "(not in this file)"
UNSET = ""
"""The value of a dropdown's "(not in this file)", "(keep as written)" or promoters choice. Not None: a
Dropdown whose value is None shows a blank, so the room could not read what was chosen. No column or question
is "" (a blank heading is read as "Unnamed: n")."""
PROMOTERS = f"(promoters: recommend {PASSIVE_MAX + 1}–10)"
MEASURES = {"recommend": "recommend", "overall": "overall rating"}
"""The whole-response scores, beside the pillars: the 0–10 recommend question and an overall rating."""
"""Fields read from a column even in a long export, where scores and the comment name a question."""
SCALE_CHOICES = [(f"{scale_id} — {name}: {rule}", scale_id) for scale_id, name, rule in scale_table()]
LABELS_EXAMPLE = "negative=0, neutral=5, positive=10"
KEEP_AS_WRITTEN = "(keep as written)"
PREVIEW_SHOWN = 8
"""A preview cell that never breaks: a date, an id or a score reads on one line."""
VALUES_SHOWN = 30
"""Distinct touchpoint values offered for translation; a survey has a handful, a free-text column hundreds."""
DATE_ORDERS = [
    ("Detect from the file", "auto"),
    ("Day first (31/12/2025)", "day_first"),
    ("Month first (12/31/2025)", "month_first"),
]
SET_ASIDE_FILE = "set_aside_rows.csv"
"""The colour of each tone of a report line (``validation.ReportLine.tone``)."""


class MappingPanel:
    """Choose, map, load and check the feedback of the workshop in ``folder``.

    Tests call ``choose_file``, ``save_upload``, set the widgets in ``field_choices``, ``scores`` (a
    ``ScoreRow`` per score target), ``advocate_column`` / ``advocate_values`` and ``touchpoint_choices``, then
    ``confirm_and_load``, ``load`` and ``write_set_aside``; ``loaded`` holds the last ``LoadedFeedback``.
    """

    def __init__(self, folder: str | Path, *, load: bool = False):
        """``load=True``: when the folder has a mapping.yml, load its feedback at once (a notebook run top to
        bottom needs no click); problems show as the panel's message, never as an exception."""
        self.folder = Path(folder)
        self.promise: Promise = load_promise(self.folder)
        self.saved: FeedbackMapping | None = None
        self.saved_stamp = stamp_of(self.folder / MAPPING_FILE)
        """mapping.yml as this panel read it: a save over another tab's newer one is refused."""
        self.mapping: FeedbackMapping | None = None
        self.preview: pd.DataFrame | None = None
        self.loaded: LoadedFeedback | None = None
        self._on_loaded: list[Callable[[LoadedFeedback], None]] = []
        self.field_choices: dict[str, widgets.Dropdown] = {}
        self.scores: dict[str, ScoreRow] = {}
        self.touchpoint_choices: dict[str, widgets.Dropdown] = {}
        self._translations_chosen: dict[str, str] = {}

        self.path = widgets.Text(
            description="File",
            placeholder="a file in the workshop folder",
            layout=widgets.Layout(width="36em"),
            style={"description_width": "5em"},
        )
        self.upload = widgets.FileUpload(description="Upload a file", accept=",".join(KINDS), multiple=False)
        self.sheet = widgets.Text(
            description="Sheet",
            placeholder="Excel: name or number",
            layout=widgets.Layout(width="17em"),
            style={"description_width": "5em"},
        )
        self.header_row = widgets.BoundedIntText(
            description="Header row",
            value=0,
            min=0,
            max=1000,
            layout=widgets.Layout(width="12em"),
            style={"description_width": "6em"},
        )
        self.read_button = widgets.Button(description="Read the file", icon="table")
        self.preview_html = widgets.HTML()
        self.notes_html = widgets.HTML()
        self.advocate_column = widgets.Dropdown(
            description="Advocates",
            options=[(PROMOTERS, UNSET)],
            value=UNSET,
            **_sized("14em", "36em"),
        )
        self.advocate_values = widgets.Text(
            description="values",
            placeholder="e.g. 1, or Gold, Platinum",
            **_sized("4em", "24em"),
        )
        self.date_order = widgets.Dropdown(
            description="Dates",
            options=DATE_ORDERS,
            value="auto",
            **_sized("5em", "24em"),
        )
        self.fields_box = widgets.VBox()
        self.values_box = widgets.VBox()
        self.confirm_button = widgets.Button(
            description="Confirm mapping and load",
            button_style="primary",
            icon="check",
            layout=widgets.Layout(width="18em"),
        )
        self.progress = widgets.FloatProgress(
            value=0, min=0, max=1, description="Loading", layout=widgets.Layout(width="36em", visibility="hidden")
        )
        self.report_html = widgets.HTML()
        self.names_html = widgets.HTML()
        self.set_aside_button = widgets.Button(
            description="Write set-aside rows to CSV",
            icon="download",
            disabled=True,
            layout=widgets.Layout(width="18em"),
        )
        self.message = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.path, self.upload], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [self.sheet, self.header_row, self.read_button], layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.message,
                self.preview_html,
                self.notes_html,
                self.fields_box,
                widgets.HBox([self.advocate_column, self.advocate_values], layout=widgets.Layout(flex_flow="row wrap")),
                self.values_box,
                self.date_order,
                self.confirm_button,
                self.progress,
                self.report_html,
                self.names_html,
                self.set_aside_button,
            ]
        )

        self.upload.observe(self._on_upload, names="value")
        self.read_button.on_click(lambda _button: self._safely(self.choose_file, self.path.value))
        self.confirm_button.on_click(lambda _button: self._safely(self.confirm_and_load))
        self.set_aside_button.on_click(lambda _button: self._safely(self.write_set_aside))

        if (self.folder / MAPPING_FILE).is_file():
            self._safely(self._open_saved, load)

    # --- what a facilitator does --------------------------------------------------------------------------

    def choose_file(self, path: str | Path) -> None:
        """Read the first rows of ``path`` (relative to the workshop folder) and show the mapping for it:
        the saved one when it names this file, else one suggested from the headings. Reading the file shown
        again (another sheet or header row, or a second click) keeps every choice made on screen that the
        file still offers."""
        file = self._in_folder(path)
        again = self.mapping is not None and source_path(self.mapping, self.folder) == file
        shown = shown_values(self._mapping_fields()) if again else {}
        sheet = self.sheet.value.strip()
        preview = read_preview(
            file, sheet=int(sheet) if sheet.isdigit() else (sheet or None), header_row=self.header_row.value or None
        )
        relative = _relative(file, self.folder)
        if self.saved is not None and source_path(self.saved, self.folder) == file.resolve():
            mapping = copy.deepcopy(self.saved)
        else:
            mapping = suggest_mapping(preview, self.promise, source=relative)
            if self.saved is not None:  # the names not to show belong to the client, not to the file
                mapping.privacy = copy.deepcopy(self.saved.privacy)
        self.path.value = relative
        self.preview, self.mapping = preview, mapping
        if not again:  # another file's translations are not this one's
            self.touchpoint_choices, self._translations_chosen = {}, {}
        self.field_choices = {}  # the last file's: the preview reads the mapping until this file's are built
        self._show_preview()
        self._build_mapping_widgets()
        restore(self._mapping_fields(), shown)
        self._say(f"Read {html.escape(relative)}: check each dropdown, then confirm.", INK)

    def save_upload(self, name: str, content: bytes) -> Path:
        """Save an uploaded file into the workshop folder (raw data never leaves it) and read it."""
        file_name = Path(name).name
        if Path(file_name).suffix.lower() not in KINDS or file_name.startswith("."):
            raise WorkshopError(
                f"'{file_name}' is not a survey export this kit reads. Upload a {', '.join(sorted(KINDS))} file."
            )
        target = self.folder / file_name
        atomic_write_bytes(target, content)
        self.choose_file(target)
        return target

    def current_mapping(self) -> FeedbackMapping:
        """The mapping as the widgets show it now (the file's format and privacy kept).

        Raises WorkshopError, naming the field and what was typed, when a typed list cannot be read."""
        if self.mapping is None:
            raise WorkshopError("Choose the feedback file first: type its name or upload it, then 'Read the file'.")
        mapping = copy.deepcopy(self.mapping)
        long = mapping.layout == "long"
        mapping.fields, mapping.pillars, mapping.recommend, mapping.overall = {}, {}, None, None
        for target, dropdown in self.field_choices.items():
            if dropdown.value == UNSET:
                continue
            as_question = long and target not in COLUMN_ONLY_FIELDS
            source = Source(question=dropdown.value) if as_question else Source(column=dropdown.value)
            if target in self.scores:
                self.scores[target].apply_to(source)
            if target in MEASURES:
                setattr(mapping, target, source)
            elif target in self.promise.pillar_ids:
                mapping.pillars[target] = source
            else:
                mapping.fields[target] = source
        mapping.advocate = self._advocate_rule()
        mapping.touchpoints = {
            value: choice.value
            for value, choice in self.touchpoint_choices.items()
            if choice.value not in (UNSET, value)
        }
        mapping.date_order = self.date_order.value
        return mapping

    def confirm_and_load(self) -> LoadedFeedback:
        """Save the mapping as shown to ``mapping.yml``, then load the feedback and show its report."""
        mapping = self.current_mapping()
        self.saved_stamp = save_mapping(mapping, self.folder / MAPPING_FILE, expected=self.saved_stamp)
        self.saved = copy.deepcopy(mapping)
        return self.load()

    def load(self) -> LoadedFeedback:
        """Load the workshop's feedback with its saved mapping (and logged calls); show the report."""
        self.progress.layout.visibility = "visible"
        self.progress.value = 0
        self.loaded = load_workshop_feedback(self.folder, progress=self._on_progress)
        self.progress.value = 1
        self.report_html.value = report_html(self.loaded.report, self.loaded.calls)
        comments = self.loaded.explorer["comment"]
        offer = names_offer(names_in_comments(comments, privacy_rules(self.loaded.mapping)), len(comments))
        self.names_html.value = f'<div style="font-size:16px;color:{INK}">{html.escape(offer)}</div>' if offer else ""
        self.set_aside_button.disabled = self.loaded.report.rows_set_aside == 0
        self._say(
            "Loaded." if self.loaded.report.blocking == [] else "Loaded, with problems to fix first (in red below).",
            GREEN if not self.loaded.report.blocking else RED,
        )
        for show in self._on_loaded:
            show(self.loaded)
        return self.loaded

    def when_loaded(self, show: Callable[[LoadedFeedback], None]) -> None:
        """Call ``show`` with each feedback this panel loads from now on (the verbatim explorer below it)."""
        self._on_loaded.append(show)

    def write_set_aside(self) -> Path:
        """Write the last load's set-aside rows (no comments) to the workshop's ``exports/``."""
        if self.loaded is None:
            raise WorkshopError("Load the feedback first: there are no set-aside rows yet.")
        path = self.loaded.report.write_set_aside_csv(self.folder / "exports" / SET_ASIDE_FILE)
        self._say(
            f"Wrote {self.loaded.report.rows_set_aside:,} set-aside rows to "
            f"{html.escape(str(path.relative_to(self.folder)))}.",
            GREEN,
        )
        return path

    # --- wiring ---------------------------------------------------------------------------------------

    def _open_saved(self, load: bool) -> None:
        self.saved_stamp = stamp_of(self.folder / MAPPING_FILE)
        self.saved = load_mapping(self.folder / MAPPING_FILE)
        self.sheet.value = "" if self.saved.sheet is None else str(self.saved.sheet)
        self.header_row.value = self.saved.header_row or 0
        self.choose_file(source_path(self.saved, self.folder))
        if load:
            self.load()

    def _on_upload(self, change) -> None:
        for upload in change["new"]:
            self._safely(self.save_upload, upload["name"], bytes(upload["content"]))

    def _on_progress(self, fraction: float, rows: int) -> None:
        self.progress.value = min(max(fraction, 0.0), 1.0)
        self.progress.description = f"{rows:,} rows"

    def _on_touchpoint_column(self, _change) -> None:
        self._safely(self._build_value_map)

    def _safely(self, action, *args) -> None:
        guarded(
            lambda: action(*args), lambda text: self._say(html.escape(text).replace("\n", "<br>"), RED), _problem_text
        )

    def _say(self, message_html: str, colour: str) -> None:
        self.message.value = f'<div style="font-size:16px;color:{colour}">{message_html}</div>'

    def _advocate_rule(self) -> AdvocateRule | None:
        column = self.advocate_column.value
        if column == UNSET:
            return None
        values = [value.strip() for value in self.advocate_values.value.split(",") if value.strip()]
        if not values:
            raise WorkshopError(
                f"Advocates: type the values of '{column}' that mark an advocate (e.g. 1, or "
                f"Gold, Platinum), or choose {PROMOTERS}."
            )
        return AdvocateRule(column, values)

    def _mapping_fields(self) -> dict[str, widgets.ValueWidget]:
        """The fields a person sets to map the file, by a name that outlives a rebuild of the widgets; a column
        before the fields that depend on it (the advocate values after their column)."""
        fields: dict[str, widgets.ValueWidget] = {}
        for target, dropdown in self.field_choices.items():
            fields[target] = dropdown
            if target in self.scores:
                row = self.scores[target]
                fields |= {
                    f"{target} scale": row.scale,
                    f"{target} missing": row.missing,
                    f"{target} labels": row.labels,
                }
        return fields | {
            "advocate column": self.advocate_column,
            "advocate values": self.advocate_values,
            "date order": self.date_order,
        }

    def _in_folder(self, path: str | Path) -> Path:
        file = Path(path)
        return (file if file.is_absolute() else self.folder / file).resolve()

    # --- building the mapping widgets ------------------------------------------------------------------

    def _opened(self) -> tuple[pd.DataFrame, FeedbackMapping]:
        """The preview and the mapping of the file opened: the mapping widgets exist only once one is."""
        assert self.preview is not None and self.mapping is not None, "built before a file was opened"
        return self.preview, self.mapping

    def _show_preview(self) -> None:
        """The first rows, headed by what each column is read as, as the dropdowns show it now."""
        preview, mapping = self._opened()
        self.preview_html.value = preview_table_html(
            preview.head(PREVIEW_SHOWN), self._columns_read_as(), privacy_rules(mapping)
        )

    def _columns_read_as(self) -> dict[str, str]:
        """Each column of the file the mapping reads, and what it reads it as in the workshop's words: a field,
        a measure or a pillar's name (each of them, when one column is chosen for several). From the dropdowns
        once they show this file's mapping."""
        preview, mapping = self._opened()
        names = {**MEASURES, **{p.id: p.name or p.id for p in self.promise.pillars}}
        if self.field_choices:
            chosen = {target: dropdown.value for target, dropdown in self.field_choices.items()}
        else:
            sources = {**mapping.fields, **mapping.measures(), **mapping.pillars}
            chosen = {target: source.column for target, source in sources.items() if source.column is not None}
        columns = {str(c) for c in preview.columns}
        read_as: dict[str, list[str]] = {}
        for target, column in chosen.items():
            if column in columns:
                read_as.setdefault(column, []).append(names.get(target, target.replace("_", " ")))
        return {column: ", ".join(targets) for column, targets in read_as.items()}

    def _labels(self, target: str) -> list[str]:
        """What a target can be mapped to: client columns, or questions for scores in a long export."""
        preview, mapping = self._opened()
        if mapping.layout == "long" and target not in COLUMN_ONLY_FIELDS:
            questions = preview[mapping.question_column].dropna().astype(str).str.strip()
            return [q for q in pd.unique(questions) if q]
        return [str(c) for c in preview.columns]

    def _build_mapping_widgets(self) -> None:
        preview, mapping = self._opened()
        rows = []
        self.field_choices, self.scores = {}, {}
        names = {**MEASURES, **{p.id: f"{p.name or p.id} (pillar)" for p in self.promise.pillars}}
        sources = {**mapping.fields, **mapping.measures(), **mapping.pillars}
        for target in [*FIELDS, *MEASURES, *self.promise.pillar_ids]:
            labels = self._labels(target)
            chosen = sources.get(target)
            value = chosen.label if chosen is not None and chosen.label in labels else UNSET
            name = names.get(target, target.replace("_", " "))
            dropdown = widgets.Dropdown(
                description=name,
                options=[(NOT_IN_FILE, UNSET)] + [(label, label) for label in labels],
                value=value,
                **_sized("14em", "36em"),
            )
            dropdown.observe(lambda _change: self._show_preview(), names="value")
            self.field_choices[target] = dropdown
            if target in FIELDS:
                rows.append(dropdown)
            else:
                self.scores[target] = ScoreRow(name, chosen)
                rows.append(widgets.VBox([dropdown, self.scores[target].widget]))
        self.fields_box.children = [widgets.HTML("<b>Which column is which</b>")] + rows
        self.advocate_column.options = [(PROMOTERS, UNSET)] + [(str(c), str(c)) for c in preview.columns]
        advocate = mapping.advocate if mapping.advocate and mapping.advocate.column in preview.columns else None
        self.advocate_column.value = advocate.column if advocate else UNSET
        self.advocate_values.value = ", ".join(advocate.values) if advocate else ""
        self.notes_html.value = notes_html(mapping.notes)
        self.date_order.value = mapping.date_order
        self.field_choices["touchpoint"].observe(self._on_touchpoint_column, names="value")
        self._build_value_map()

    def _build_value_map(self) -> None:
        column = self.field_choices["touchpoint"].value
        # Translations chosen already stay chosen when the column is moved away and back.
        self._translations_chosen.update({value: choice.value for value, choice in self.touchpoint_choices.items()})
        chosen = self._translations_chosen
        self.touchpoint_choices = {}
        preview, mapping = self._opened()
        if column not in preview.columns or not self.promise.touchpoints:
            self.values_box.children = []
            return
        values = [v for v in pd.unique(preview[column].astype(object)) if not is_missing(v)]
        known = self.promise.touchpoints
        rules = privacy_rules(mapping)
        for value in [str(v).strip() for v in values][:VALUES_SHOWN]:
            suggested = mapping.touchpoints.get(value)
            if value in chosen:
                current = chosen[value]
            else:
                current = suggested if suggested in known else (value if value in known else UNSET)
            self.touchpoint_choices[value] = widgets.Dropdown(
                description=shown_value(value, rules),
                options=[(KEEP_AS_WRITTEN, UNSET)] + [(t, t) for t in known],
                value=current,
                **_sized("14em", "30em"),
            )
        self.values_box.children = [widgets.HTML("<b>Touchpoints: the client's words → the workshop's</b>")] + list(
            self.touchpoint_choices.values()
        )


class ScoreRow:
    """How one score's answers become 0–10 points: its scale, its missing codes and (scale ``labels``) its
    labels' points, with the rule they make shown in words beside them and updated as they change.

    ``name`` is how the panel names the score (in messages); ``source`` fills the fields (None: 0–10, none)."""

    def __init__(self, name: str, source: Source | None):
        self.name = name
        scale = source.scale if source is not None and source.scale in SCALES else "0-10"
        self.scale = widgets.Dropdown(
            description="scale",
            options=SCALE_CHOICES,
            value=scale,
            **_sized("4em", "30em"),
        )
        self.missing = widgets.Text(
            description="missing codes",
            placeholder="e.g. 0, or n/a, 99",
            value=", ".join(_code_text(code) for code in (source.missing if source else [])),
            **_sized("8em", "20em"),
        )
        self.labels = widgets.Text(
            description="labels",
            placeholder=LABELS_EXAMPLE,
            value=", ".join(f"{label}={points:g}" for label, points in (source.labels if source else {}).items()),
            **_sized("4em", "30em"),
        )
        self.rule = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.scale, self.missing, self.labels], layout=widgets.Layout(flex_flow="row wrap")),
                self.rule,
            ],
            layout=widgets.Layout(margin="0 0 0 14em"),
        )
        for field in (self.scale, self.missing, self.labels):
            field.observe(self._show_rule, names="value")
        self._show_rule()

    def apply_to(self, source: Source) -> Source:
        """Give ``source`` this row's scale, missing codes and labels; WorkshopError when they cannot be read."""
        source.scale = self.scale.value
        source.missing = [_typed_code(code) for code in self.missing.value.split(",") if code.strip()]
        source.labels = self._label_points() if source.scale == "labels" else {}
        return source

    def _label_points(self) -> dict[str, float]:
        points: dict[str, float] = {}
        for part in (part for part in self.labels.value.split(",") if part.strip()):
            label, _, number = part.rpartition("=")
            try:
                value = float(number)
            except ValueError:
                value = math.nan
            if not label.strip() or math.isnan(value):
                raise WorkshopError(
                    f"{self.name}: the labels '{self.labels.value}' cannot be read at "
                    f"'{part.strip()}'. Write each label with its points out of 10, e.g. "
                    f"{LABELS_EXAMPLE}."
                )
            points[label.strip()] = value
        if not points:
            raise WorkshopError(
                f"{self.name}: the scale is 'labels', so type each label with its points out of 10, "
                f"e.g. {LABELS_EXAMPLE}."
            )
        return points

    def _show_rule(self, _change=None) -> None:
        # The labels field is hidden, never emptied, for the other scales: switching back finds it as typed.
        self.labels.layout.display = None if self.scale.value == "labels" else "none"
        try:
            rule, colour = f"Rule: {self.apply_to(Source()).answer_rule().rule}", INK
        except WorkshopError as problem:
            rule, colour = str(problem), RED
        self.rule.value = f'<div style="font-size:14px;color:{colour}">{html.escape(rule)}</div>'


def _typed_code(text: str) -> str | float:
    """A missing code as typed: a number stays a number ("0" is 0, as ``missing: [0]`` in mapping.yml)."""
    code = text.strip()
    try:
        number = float(code)
    except ValueError:
        return code
    if not math.isfinite(number):
        return code
    return int(number) if number.is_integer() else number


def _code_text(code: str | float) -> str:
    return f"{code:g}" if isinstance(code, float) else str(code)


def _problem_text(error: Exception) -> str:
    """A file that cannot be opened or parsed (OSError, ValueError from the readers) is the file's problem, said
    in the reader's words; anything else is worded by ``problem_text``."""
    return str(error) if isinstance(error, (OSError, ValueError)) else problem_text(error)


def _sized(label_width: str, width: str) -> dict[str, Any]:
    """A widget's label and overall widths, as every field of the panel gives them."""
    return {"style": {"description_width": label_width}, "layout": widgets.Layout(width=width)}


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return os.path.relpath(file.resolve(), folder.resolve())
