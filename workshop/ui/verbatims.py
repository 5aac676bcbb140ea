"""Step 2 panel: the verbatim explorer, where the room reads what customers actually wrote, pillar by pillar.

Filters (pillar, touchpoint, segment, NPS band, advocates) narrow the comments; the panel shows how many
match (of a sample, and says so, when the file had more comments than the loader keeps) and a few examples,
large enough to read on a projector, in a reproducible random order, with a button for other examples. The
selected pillar's phrases can be edited and re-tag the comments at once. Opened on notebook 02's mapping
panel, it shows each new load's comments as it happens, keeping the filters and the phrases typed.

The panel holds no rule of its own: which comment mentions which pillar is ``workshop.feedback.themes``;
the NPS bands are ``workshop.feedback.advocates``; and every comment shown, and every touchpoint and segment
value (a free-text column mapped as the segment is customers' words), has passed through
``workshop.feedback.privacy.scrub`` with the mapping's rules before being HTML-escaped (raw comments never
leave the kernel). Phrases are saved to themes.yml only while it is as the panel read or last saved it: after
another tab saved it, the panel refuses, says to reload, and keeps the phrases typed.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workshop.cube import CANONICAL_COLUMNS
from workshop.errors import WorkshopError
from workshop.feedback.advocates import NPS_BANDS, nps_band
from workshop.feedback.load import LoadedFeedback
from workshop.feedback.privacy import PrivacyRules, privacy_rules, scrub, scrub_series
from workshop.feedback.themes import (
    THEMES_FILE,
    Themes,
    VerbatimFilter,
    has_comment,
    load_themes,
    passes_filter,
    save_themes,
    tag_comments,
    themes_read_stamp,
)
from workshop.files import NO_FILE
from workshop.promise import Promise
from workshop.ui.draft import Draft, offer
from workshop.ui.guard import guarded

if TYPE_CHECKING:
    from workshop.ui.mapping_panel import MappingPanel

EXAMPLES_SHOWN = 6
BAND_CHOICES = [("Any score", None)] + [
    (f"{band.capitalize()}s ({points.start}–{points.stop - 1})", band) for band, points in NPS_BANDS.items()
]
ADVOCATE_CHOICES = [("Everyone", None), ("Advocates only", True), ("Not advocates", False)]
ANY = [("Any", None)]
COMMENT_STYLE = (
    "font-size:24px;line-height:1.4;color:#111;background:#fff;border-left:6px solid #0072B2;"
    "padding:0.4em 0.8em;margin:0.5em 0"
)
META_STYLE = "font-size:20px;color:#333"
"""Projector sizes: comments at 24px, their details at 20px, near-black on white."""


class VerbatimExplorer:
    """Read customers' comments by pillar, touchpoint, segment, score band and advocate flag.

    ``explorer_frame`` is the canonical feedback frame (``workshop.cube``); ``themes`` the phrase lists per
    pillar; ``privacy`` the mapping's do-not-show names and safe patterns; ``themes_file``, when given, is
    where edited phrases are saved; ``sampled_from``, when the frame is a sample, how many comments the file
    had. Tests drive it through ``set_filters``, ``show_other_examples``, ``set_phrases``, ``show_feedback``
    and read ``shown_comments()``.
    """

    def __init__(
        self,
        explorer_frame: pd.DataFrame,
        promise: Promise,
        themes: Themes,
        privacy: PrivacyRules | None = None,
        examples: int = EXAMPLES_SHOWN,
        seed: int = 0,
        themes_file: str | Path | None = None,
        sampled_from: int | None = None,
    ):
        self.promise = promise
        self.themes: Themes = {pillar_id: list(themes.get(pillar_id, [])) for pillar_id in promise.pillar_ids}
        self.examples = examples
        self.seed = seed
        self.themes_file = Path(themes_file) if themes_file else None
        # Phrases are saved only over the themes.yml these themes came from, never over another tab's save.
        self._themes_stamp = (
            themes_read_stamp(self.themes, self.themes_file, promise.pillar_ids) if self.themes_file else NO_FILE
        )
        self._offset = 0
        self._changing = False
        self._shown: list[str] = []

        layout = widgets.Layout(width="17em")
        style = {"description_width": "6em"}
        self.pillar = widgets.Dropdown(
            description="Pillar",
            options=[("Any pillar", None)] + [(p.name or p.id, p.id) for p in promise.pillars],
            layout=layout,
            style=style,
        )
        self.touchpoint = widgets.Dropdown(description="Touchpoint", options=ANY, layout=layout, style=style)
        self.segment = widgets.Dropdown(description="Segment", options=ANY, layout=layout, style=style)
        self.band = widgets.Dropdown(description="Score", options=BAND_CHOICES, layout=layout, style=style)
        self.advocate = widgets.Dropdown(description="Who", options=ADVOCATE_CHOICES, layout=layout, style=style)
        self.other_examples = widgets.Button(
            description="Show other examples",
            icon="refresh",
            button_style="primary",
            layout=widgets.Layout(width="14em"),
        )
        self.counts = widgets.HTML()
        self.comments = widgets.HTML()
        self.phrases = widgets.Textarea(
            description="Phrases",
            placeholder="one phrase per line",
            layout=widgets.Layout(width="30em", height="8em"),
            style=style,
        )
        self.apply_phrases = widgets.Button(description="Use these phrases", icon="tags")
        self.draft = Draft({"phrases": self.phrases})  # per pillar: phrases typed for one wait while another is read
        self.phrase_status = widgets.HTML()
        self.phrase_editor = widgets.VBox([widgets.HBox([self.phrases, self.apply_phrases]), self.phrase_status])
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.pillar, self.touchpoint, self.segment], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [self.band, self.advocate, self.other_examples], layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.phrase_editor,
                self.counts,
                self.comments,
            ]
        )

        for control in (self.pillar, self.touchpoint, self.segment, self.band, self.advocate):
            control.observe(self._on_filter, names="value")
        self.other_examples.on_click(lambda _button: self.show_other_examples())
        self.apply_phrases.on_click(
            lambda _button: guarded(
                lambda: self.set_phrases(self.phrases.value.splitlines()),
                lambda text: setattr(self.phrase_status, "value", _message(html.escape(text), "#b2182b")),
            )
        )
        self._use(explorer_frame, privacy or PrivacyRules(), sampled_from)

    @classmethod
    def for_workshop(
        cls, folder: str | Path, loaded: LoadedFeedback | None, promise: Promise, **options
    ) -> VerbatimExplorer:
        """The explorer over the workshop's loaded feedback, with the folder's ``themes.yml`` (saved there when
        edited) and the mapping's privacy rules. Nothing loaded yet (or the load failed), or a ``themes.yml`` that
        cannot be read: the explorer still opens, and says what to do instead of raising."""
        themes_file: Path | None = Path(folder) / THEMES_FILE
        try:
            themes, problem = load_themes(Path(folder) / THEMES_FILE, promise.pillar_ids), ""
        except WorkshopError as error:  # the hand-edited file stays as it is: phrases typed here are not saved
            themes, problem, themes_file = {}, f"{error} Phrases typed here are not saved until it is fixed.", None
        explorer = cls(
            pd.DataFrame(columns=[*CANONICAL_COLUMNS, *promise.pillar_ids]),
            promise,
            themes,
            themes_file=themes_file,
            **options,
        )
        if loaded is None:
            explorer.comments.value = _message(
                "No feedback is loaded yet: press <b>Confirm mapping and load</b> above; the comments appear here.",
                "#b2182b",
            )
        else:
            explorer.show_feedback(loaded)
        if problem:
            explorer.phrase_status.value = _message(html.escape(problem), "#b2182b")
        return explorer

    @classmethod
    def for_mapping_panel(cls, panel: MappingPanel, **options) -> VerbatimExplorer:
        """The explorer under notebook 02's mapping panel: it opens on what the panel loaded and shows each later
        load (another file, the same one again) as it happens, so no cell is run again."""
        explorer = cls.for_workshop(panel.folder, panel.loaded, panel.promise, **options)
        panel.when_loaded(explorer.show_feedback)
        return explorer

    # --- what a facilitator does ------------------------------------------------------------------------

    def show_feedback(self, loaded: LoadedFeedback) -> None:
        """Read the comments of this load (scrubbed with its mapping's rules) instead of the ones shown; the
        filters that still have a choice keep it, and phrases typed and not yet used stay."""
        self._use(
            loaded.explorer, privacy_rules(loaded.mapping), loaded.comments_total if loaded.explorer_is_sample else None
        )

    @property
    def current_filter(self) -> VerbatimFilter:
        return VerbatimFilter(
            pillar=self.pillar.value,
            touchpoint=self.touchpoint.value,
            segment=self.segment.value,
            band=self.band.value,
            advocate=self.advocate.value,
        )

    def set_filters(self, **values) -> None:
        """Set any of pillar, touchpoint, segment, band, advocate (None = any) and redraw once."""
        unknown = set(values) - {"pillar", "touchpoint", "segment", "band", "advocate"}
        if unknown:
            raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        self._changing = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._changing = False
        self._offset = 0
        self._refresh()

    def show_other_examples(self) -> None:
        """The next examples in the same shuffled order, starting again after the last."""
        self._offset += self.examples
        self._refresh()

    def shown_comments(self) -> list[str]:
        """The (scrubbed) comment texts on screen now, in order."""
        return list(self._shown)

    def set_phrases(self, phrases: list[str]) -> None:
        """Replace the selected pillar's phrases, re-tag every comment, and save them when a file is set."""
        pillar_id = self.pillar.value
        if pillar_id is None:
            return
        themes = {**self.themes, pillar_id: [p.strip() for p in phrases if p.strip()]}
        try:
            if self.themes_file is not None:
                self._themes_stamp = save_themes(
                    themes, self.themes_file, self.promise.pillar_ids, expected=self._themes_stamp
                )
        except (WorkshopError, OSError) as error:  # the room reads what to fix, never a traceback
            self.phrase_status.value = _message(f"Not saved: {html.escape(str(error))}", "#b2182b")
            return
        self.themes = themes
        self.draft.saved(pillar_id, ["phrases"])
        self.tags[pillar_id] = tag_comments(self.frame["comment"], {pillar_id: themes[pillar_id]})[pillar_id]
        saved = f" and saved to {self.themes_file.name}" if self.themes_file else ""
        self.phrase_status.value = _message(f"Comments re-tagged{html.escape(saved)}.", "#1b7837")
        self._offset = 0
        self._refresh()

    # --- wiring -----------------------------------------------------------------------------------------

    def _use(self, explorer_frame: pd.DataFrame, privacy: PrivacyRules, sampled_from: int | None) -> None:
        # Only rows with a comment can ever be shown; dropping the rest once keeps every filter change cheap.
        self.frame = explorer_frame[has_comment(explorer_frame["comment"])]
        self.privacy = privacy
        self.sampled_from = sampled_from
        # One shuffle of all rows, fixed by the seed: the same filters always show the same examples first.
        self._rank = np.random.default_rng(self.seed).permutation(len(self.frame))
        self.tags = tag_comments(self.frame["comment"], self.themes)
        self._changing = True
        try:
            offer(self.touchpoint, self._choices(self.frame["touchpoint"]))
            offer(self.segment, self._choices(self.frame["segment"]))
        finally:
            self._changing = False
        self._offset = 0
        self._refresh()

    def _on_filter(self, _change) -> None:
        if not self._changing:
            self._offset = 0
            self._refresh()

    def _refresh(self) -> None:
        guarded(self._show, self._cannot_show)

    def _cannot_show(self, text: str) -> None:
        self._shown = []
        self.comments.value = _message(f"These comments cannot be shown: {html.escape(text)}", "#b2182b")

    def _show(self) -> None:
        pillar_id = self.pillar.value
        self.phrase_editor.layout.display = None if pillar_id else "none"
        if pillar_id:
            self.draft.show(pillar_id, {"phrases": "\n".join(self.themes[pillar_id])})
        rows = np.flatnonzero(passes_filter(self.frame, self.tags, self.current_filter).to_numpy())
        rows = rows[np.argsort(self._rank[rows], kind="stable")]
        if len(rows) and self._offset >= len(rows):
            self._offset = 0
        page = self.frame.iloc[rows[self._offset : self._offset + self.examples]]
        texts = scrub_series(page["comment"], self.privacy.do_not_show, self.privacy.safe_patterns)
        self._shown = texts.tolist()
        first, last = self._offset + 1, self._offset + len(page)
        sample = (
            f", in a random sample of {len(self.frame):,} of the file's {self.sampled_from:,} comments"
            if self.sampled_from
            else ""
        )
        self.counts.value = _message(
            f"<b>{len(rows)}</b> {'comment matches' if len(rows) == 1 else 'comments match'}{sample}"
            + (f" · showing {first}–{last}" if len(page) else ""),
            "#111",
        )
        self.other_examples.disabled = len(rows) <= self.examples
        if page.empty:
            self.comments.value = _message(
                "No comment matches these filters. Set one of them back to 'any' to see more.", "#333"
            )
            return
        self.comments.value = "".join(
            self._comment_html(text, row) for text, row in zip(texts, page.itertuples(), strict=True)
        )

    def _scrubbed(self, value: object) -> str:
        return str(scrub(str(value), self.privacy.do_not_show, self.privacy.safe_patterns))

    def _choices(self, values: pd.Series) -> list[tuple[str, str | None]]:
        """Filter choices: each value as found (to filter on), labelled as scrubbed (to be read)."""
        present = sorted(values.dropna().astype(str).unique())
        return [*ANY, *((self._scrubbed(value), value) for value in present)]

    def _comment_html(self, text: str, row) -> str:
        band = nps_band(float(row.recommend)) if pd.notna(row.recommend) else None
        score = f"recommend {row.recommend:g}/10 ({band})" if band else "recommend not answered"
        advocate = " · advocate" if bool(row.advocate) else ""
        meta = f"{self._scrubbed(row.touchpoint)} · {self._scrubbed(row.segment)} · {score}{advocate}"
        return (
            f'<div style="{COMMENT_STYLE}">“{html.escape(text)}”'
            f'<div style="{META_STYLE}">{html.escape(meta)}</div></div>'
        )


def _message(message_html: str, colour: str) -> str:
    return f'<div style="font-size:22px;color:{colour}">{message_html}</div>'
