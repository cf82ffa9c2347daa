"""Slots: generated HTML kept out of the Markdown converter, pasted in after it.

A page source holds a one-line marker (an HTML comment) where a large
generated fragment goes: a section's tables and charts, say. Markdown passes
the marker through untouched, so Python-Markdown never parses the fragment's
thousands of tags, which was most of a build's time. After conversion,
`Slots.fill` replaces each marker with its fragment. The fragments are
already safe HTML (autoescaped templates); nothing in them is Markdown.

A fragment that is not `searchable` is filled in only after the site search
has indexed the page, so figures and tables stay out of the search index,
which every page downloads. Markers name a hash of their fragment, or of the
cache key that determines it: the same fragment gives the same marker, and
the page sources stay reproducible.

A fragment can also be promised: its marker goes into the page source now,
and the fragment is asked for when a marker is first filled (a worker
process may be rendering it meanwhile, see generator.issue_work).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
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
    # Promised fragments by marker id: whether searchable, and how to get the HTML.
    promised: dict[str, tuple[bool, Callable[[], str]]] = field(default_factory=dict)

    def hold(self, html: str, *, searchable: bool, key: tuple[str, ...] | None = None) -> Markup:
        """The marker to put in a page source in place of `html`.

        With `key` (a cache key that determines `html`), the marker names the
        key, as a promise of the same fragment would.
        """
        digest = _digest(searchable, ("key", *key)) if key else _digest(searchable, (html,))
        self.fragments[digest] = Fragment(html, searchable)
        return _marker(digest)

    def promise(self, key: tuple[str, ...], get: Callable[[], str], *, searchable: bool) -> Markup:
        """The marker for the fragment `get()` returns once asked; `key` determines it."""
        digest = _digest(searchable, ("key", *key))
        if digest not in self.fragments:
            self.promised[digest] = (searchable, get)
        return _marker(digest)

    def _fragment(self, digest: str) -> Fragment | None:
        fragment = self.fragments.get(digest)
        if fragment is None and digest in self.promised:
            searchable, get = self.promised.pop(digest)
            fragment = self.fragments[digest] = Fragment(get(), searchable)
        return fragment

    def _searchable(self, digest: str) -> bool | None:
        """Whether the fragment is searchable, without asking a promise for it."""
        if digest in self.fragments:
            return self.fragments[digest].searchable
        return self.promised[digest][0] if digest in self.promised else None

    def promises(self, key: tuple[str, ...], *, searchable: bool) -> bool:
        """Whether the fragment for `key` is promised and not yet asked for."""
        return _digest(searchable, ("key", *key)) in self.promised

    def held_now(self, text: str) -> list[tuple[str, Fragment]]:
        """The fragments `text` holds that are here already, by marker id."""
        found = ((m.group(1), self.fragments.get(m.group(1))) for m in _MARKER.finditer(text))
        return [(digest, fragment) for digest, fragment in found if fragment is not None]

    def fill(self, html: str, *, searchable_only: bool = False) -> str:
        """Replace markers with their fragments (only the searchable ones, if asked).

        Unknown markers are left as they are: an editor's prose cannot pull
        in a fragment that no page held.
        """

        def replace(match: re.Match[str]) -> str:
            digest = match.group(1)
            if searchable_only and not self._searchable(digest):
                return match.group(0)
            fragment = self._fragment(digest)
            return match.group(0) if fragment is None else fragment.html

        return _MARKER.sub(replace, html)


def _digest(searchable: bool, parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join((str(searchable), *parts)).encode()).hexdigest()[:24]


def _marker(digest: str) -> Markup:
    return Markup(f"<!-- nl-slot {digest} -->")
