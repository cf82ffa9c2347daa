"""Slots: generated HTML kept out of the Markdown converter, pasted in after it.

A page source holds a one-line marker (an HTML comment) where a large
generated fragment goes: a section's tables and charts, say. Markdown passes
the marker through untouched, so Python-Markdown never parses the fragment's
thousands of tags, which was most of a build's time. After conversion,
`Slots.fill` replaces each marker with its fragment. The fragments are
already safe HTML (autoescaped templates); nothing in them is Markdown.

A fragment that is not `searchable` is filled in only after the site search
has indexed the page, so figures and tables stay out of the search index,
which every page downloads. Markers name a hash of their fragment: the same
fragment gives the same marker, and the page sources stay reproducible.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from markupsafe import Markup

_MARKER = re.compile(r"<!-- nl-slot ([0-9a-f]{24}) -->")


@dataclass(frozen=True)
class Fragment:
    html: str
    searchable: bool


@dataclass
class Slots:
    """Every held fragment of a build, by marker id."""

    fragments: dict[str, Fragment] = field(default_factory=dict)

    def hold(self, html: str, *, searchable: bool) -> Markup:
        """The marker to put in a page source in place of `html`."""
        digest = hashlib.sha256(f"{searchable}\0{html}".encode()).hexdigest()[:24]
        self.fragments[digest] = Fragment(html, searchable)
        return Markup(f"<!-- nl-slot {digest} -->")

    def held_in(self, text: str) -> list[Fragment]:
        """The fragments whose markers `text` holds, in order."""
        found = (self.fragments.get(m.group(1)) for m in _MARKER.finditer(text))
        return [fragment for fragment in found if fragment is not None]

    def fill(self, html: str, *, searchable_only: bool = False) -> str:
        """Replace markers with their fragments (only the searchable ones, if asked).

        Unknown markers are left as they are: an editor's prose cannot pull
        in a fragment that no page held.
        """

        def replace(match: re.Match[str]) -> str:
            fragment = self.fragments.get(match.group(1))
            if fragment is None or (searchable_only and not fragment.searchable):
                return match.group(0)
            return fragment.html

        return _MARKER.sub(replace, html)
