"""The `newsletter` plugin's options in mkdocs.yml, declared with MkDocs' schema.

`NewsletterConfig` is what the MkDocs plugin validates. `load_settings` reads
the same block without starting MkDocs (for `collect`, `seasons`, `new`...),
validates it the same way and reports every problem at once, naming the key.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.utils.yaml import yaml_load

from .categories import CATEGORIES
from .errors import ConfigError

MIN_PRIVACY_K = 5


log = logging.getLogger(__name__)


class CollectingConfig(base.Config):
    """A Config that reports every failing option; MkDocs' own stops at the first."""

    def _validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed: list[tuple[str, Exception]] = []
        warnings: list[tuple[str, str]] = []
        for key, option in self._schema:
            try:
                self[key] = option.validate(self.get(key))
                warnings.extend((key, w) for w in option.warnings)
                option.reset_warnings()
            except ValidationError as err:
                failed.append((key, err))
        for key in sorted(set(self.keys()) - self._schema_keys):
            known = ", ".join(sorted(self._schema_keys))
            warnings.append((key, f"unrecognised option {key!r}: ignored (known: {known})"))
        if not failed:
            failed.extend((key, ValidationError(msg)) for key, msg in self.cross_checks())
        return failed, warnings

    def cross_checks(self) -> list[tuple[str, str]]:
        """Checks that involve several options, run once each option is valid."""
        return []


class AllErrorsSubConfig(c.SubConfig):
    """A SubConfig that reports every failing sub-option, not only the first."""

    def __init__(self, config_class: type[CollectingConfig]) -> None:
        super().__init__(config_class)
        self.config_class = config_class  # the base class sets it only for exact SubConfig

    def run_validation(self, value: object) -> base.Config:
        config = self.config_class(config_file_path=self._config_file_path)
        if not isinstance(value, dict):
            raise ValidationError(f"expected a mapping of options, got {value!r}")
        config.load_dict(value)
        failed, warnings = config.validate()
        self.warnings.extend(f"{key}: {msg}" for key, msg in warnings)
        if failed:
            raise ValidationError("\n".join(f"{key}: {msg}" for key, msg in failed))
        return config


class TimeZone(c.Type):
    """An IANA time zone name such as Europe/Paris."""

    def __init__(self, default: str = "UTC"):
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                f"unknown time zone {name!r}: expected an IANA name such as "
                "'Europe/Paris' or 'America/New_York'"
            ) from None
        return name


class PrivacyThreshold(c.Type):
    """k: counts 1..k-1 are suppressed. Never below MIN_PRIVACY_K."""

    def __init__(self, default: int = 10):
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        k = super().run_validation(value)
        if isinstance(k, bool) or k < MIN_PRIVACY_K:
            raise ValidationError(f"expected a whole number of at least {MIN_PRIVACY_K}, got {k!r}")
        return k


class Count(c.Type):
    """A whole number, zero or more."""

    def __init__(self, default: int):
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        number = super().run_validation(value)
        if isinstance(number, bool) or number < 0:
            raise ValidationError(f"expected a whole number, 0 or more, got {number!r}")
        return number


class Matching(c.Type):
    """A string option that must match `pattern` whole; `expected` says what it must be."""

    def __init__(self, pattern: str, expected: str) -> None:
        super().__init__(str, default=None)
        self.pattern = re.compile(pattern)
        self.expected = expected

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value)
        if not self.pattern.fullmatch(text):
            raise ValidationError(f"expected {self.expected}; got {text!r}")
        return text


# The authority of tag: URIs (RFC 4151): a domain or an email address, a comma, a date.
TAG_AUTHORITY = (
    r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|[^\s@,]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r",\d{4}(?:-\d{2}(?:-\d{2})?)?"
)
# An SPDX licence identifier, such as CC-BY-4.0.
SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+-]*"


class CategoryTags(c.Type):
    """Mapping of the six ethics categories to Hub tags; missing ones take defaults."""

    def __init__(self) -> None:
        super().__init__(dict, default={})

    def run_validation(self, value: object) -> dict[str, list[str]]:
        given = super().run_validation(value)
        unknown = sorted(set(given) - set(CATEGORIES))
        if unknown:
            raise ValidationError(
                f"unknown categories {unknown}: expected some of {list(CATEGORIES)}"
            )
        tags = {}
        for category in CATEGORIES:
            chosen = given.get(category, [f"ethics-{category}"])
            if isinstance(chosen, str):
                chosen = [chosen]
            if not isinstance(chosen, list) or not all(isinstance(t, str) and t for t in chosen):
                raise ValidationError(f"{category}: expected a list of tag names")
            tags[category] = chosen
        return tags


class CharterOptions(CollectingConfig):
    repo = c.Optional(c.Type(str))
    branch = c.Type(str, default="main")
    path = c.Type(str, default="CHARTER.md")
    first_parent = c.Type(bool, default=True)
    date = c.Choice(("committer", "author"), default="committer")
    commit_url = c.Optional(c.Type(str))


class FlagsOptions(CollectingConfig):
    paths = c.ListOfItems(c.Type(str), default=[])
    aggregates = c.Optional(c.Type(str))  # pre-aggregated warehouse output, instead of paths
    rejected = c.Optional(c.Type(str))

    def cross_checks(self) -> list[tuple[str, str]]:
        if self.paths and self.aggregates:
            return [("aggregates", "give either 'paths' (the export) or 'aggregates', not both")]
        return []


class SpacesOptions(CollectingConfig):
    snapshot = c.Optional(c.Type(str))  # JSON Lines of /api/spaces objects
    live = c.Type(bool, default=False)  # ask the Hub through huggingface_hub
    endpoint = c.URL(default="https://huggingface.co")
    token = c.Optional(c.Type(str))  # HF_TOKEN is used when unset
    categories = CategoryTags()
    spotlight = Count(default=3)
    notable = Count(default=5)


class FeedSourceOptions(CollectingConfig):
    name = c.Type(str)
    url = c.Optional(c.URL())
    path = c.Optional(c.Type(str))
    tags = c.ListOfItems(c.Type(str), default=[])
    keywords = c.ListOfItems(c.Type(str), default=[])

    def cross_checks(self) -> list[tuple[str, str]]:
        if (self.url is None) == (self.path is None):
            return [("url", "each feed needs exactly one of 'url' or 'path'")]
        return []


class ReadingOptions(CollectingConfig):
    feeds = c.ListOfItems(AllErrorsSubConfig(FeedSourceOptions), default=[])


class FeedsOptions(CollectingConfig):
    # Entries per site feed, newest first; 0: every published issue. Feed readers
    # fetch the whole feed at every poll, and full issues are large: 20 issues
    # (five years) is what blog feeds carry by default.
    limit = Count(default=20)
    tag_authority = c.Optional(  # default from site_url
        Matching(
            TAG_AUTHORITY,
            "a domain (or email address), a comma and a date, such as 'example.org,2022'",
        )
    )


class NewsletterConfig(CollectingConfig):
    timezone = TimeZone()
    issues_dir = c.Type(str, default="issues")
    cache_dir = c.Type(str, default=".cache/newsletter")
    privacy_k = PrivacyThreshold()
    editors_email = c.Optional(c.Type(str))
    # Without a licence for the published data, no reuse is promised.
    data_license = c.Optional(
        Matching(SPDX_ID, "an SPDX licence identifier such as 'CC-BY-4.0' or 'CC0-1.0'")
    )
    charter = AllErrorsSubConfig(CharterOptions)
    flags = AllErrorsSubConfig(FlagsOptions)
    spaces = AllErrorsSubConfig(SpacesOptions)
    reading = AllErrorsSubConfig(ReadingOptions)
    feeds = AllErrorsSubConfig(FeedsOptions)


@dataclass(frozen=True)
class Settings:
    """The validated plugin options plus the site identity they need."""

    config_file: Path
    site_name: str
    site_url: str
    site_description: str
    options: NewsletterConfig
    # MkDocs' folders: what is under them is published (or becomes the site).
    docs_dir: Path | None = None
    site_dir: Path | None = None

    @property
    def root(self) -> Path:
        return self.config_file.parent

    def path(self, relative: str) -> Path:
        """A path from the config, relative to the folder of mkdocs.yml."""
        return (self.root / os.path.expanduser(relative)).resolve()

    @property
    def issues_dir(self) -> Path:
        return self.path(self.options.issues_dir)

    def public_folder_holding(self, path: Path) -> str | None:
        """The mkdocs.yml key of the published folder `path` is in, if any."""
        folders = {"docs_dir": self.docs_dir, "site_dir": self.site_dir}
        folders["plugins.newsletter.issues_dir"] = self.issues_dir
        for key, folder in folders.items():
            if folder is not None and path.resolve().is_relative_to(folder):
                return key
        return None

    @property
    def cache_dir(self) -> Path:
        return self.path(self.options.cache_dir)

    @property
    def timezone(self) -> str:
        return self.options.timezone

    @property
    def tag_authority(self) -> str:
        """The authority part of tag: URIs (RFC 4151), fixed once chosen."""
        if self.options.feeds.tag_authority:
            return self.options.feeds.tag_authority
        host = urlsplit(self.site_url).hostname or "localhost"
        return f"{host},2022"


def newsletter_block(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The `newsletter` entry of `plugins:` (list or mapping form), or None."""
    plugins = raw.get("plugins") or []
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    else:
        entries = [(p, {}) if isinstance(p, str) else next(iter(p.items())) for p in plugins]
    for name, block in entries:
        if name == "newsletter":
            return block or {}
    return None


def validate_options(block: dict[str, Any], config_file: str) -> NewsletterConfig:
    options = NewsletterConfig(config_file_path=config_file)
    options.load_dict(block)
    failed, warnings = options.validate()
    if failed:
        raise ConfigError(config_file, flatten_problems(failed))
    # As MkDocs does: a misspelt option is a warning (an error under --strict),
    # shown by every command, not only by a build.
    for key, message in flatten_problems(warnings):
        log.warning("%s: %s: %s", config_file, key, message)
    return options


def flatten_problems(failed: Sequence[tuple[str, object]]) -> list[tuple[str, str]]:
    """('charter', 'branch: bad') -> ('plugins.newsletter.charter.branch', 'bad')."""
    problems = []
    for key, error in failed:
        for line in str(error).splitlines():
            sub, sep, message = line.partition(": ")
            if sep and " " not in sub:
                problems.append((f"plugins.newsletter.{key}.{sub}", message))
            else:
                problems.append((f"plugins.newsletter.{key}", line))
    return problems


def load_settings(config_file: str | os.PathLike[str] | None = None) -> Settings:
    """Read mkdocs.yml (default: ./mkdocs.yml) and validate the newsletter block."""
    path = Path(config_file or "mkdocs.yml").resolve()
    try:
        with path.open("rb") as fh:
            raw = yaml_load(fh) or {}
    except FileNotFoundError:
        raise ConfigError(str(path), [("-f/--config-file", "no such file")]) from None
    except Exception as exc:  # YAML syntax errors carry their own line numbers
        raise ConfigError(str(path), [("yaml", str(exc).replace("\n", " "))]) from None
    if not isinstance(raw, dict):
        raise ConfigError(str(path), [("(top level)", "expected a mapping of settings")])
    block = newsletter_block(raw)
    if block is None:
        raise ConfigError(str(path), [("plugins", "the 'newsletter' plugin is not enabled")])
    problems = []
    if not raw.get("site_name"):
        problems.append(("site_name", "required: the newsletter's name"))
    if not raw.get("site_url"):
        problems.append(("site_url", "required: feeds need absolute links"))
    try:
        options = validate_options(block, str(path))
    except ConfigError as err:
        problems.extend(err.problems)
    if problems:
        raise ConfigError(str(path), problems)
    return Settings(
        config_file=path,
        site_name=str(raw["site_name"]),
        site_url=str(raw["site_url"]).rstrip("/") + "/",
        site_description=str(raw.get("site_description") or ""),
        options=options,
        docs_dir=(path.parent / str(raw.get("docs_dir") or "docs")).resolve(),
        site_dir=(path.parent / str(raw.get("site_dir") or "site")).resolve(),
    )
