"""Docs are tested: every config key and every CLI command is in the README."""

from __future__ import annotations

import argparse
import re

from mkdocs.config import config_options as c

from generator.cli import build_parser
from generator.config import NewsletterConfig

from .conftest import REPO


def config_keys(config_class: type, prefix: str = "") -> set[str]:
    keys = set()
    for name, option in config_class._schema:
        key = f"{prefix}{name}"
        if isinstance(option, c.SubConfig):
            keys |= config_keys(option.config_class, f"{key}.")
        else:
            keys.add(key)
    return keys


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_every_config_key_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", readme(), flags=re.MULTILINE))
    keys = config_keys(NewsletterConfig)
    assert keys, "the schema declares options"
    assert keys - documented == set(), "undocumented config keys"
    assert documented - keys == set(), "README documents keys that do not exist"


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = readme()
    for name in subparsers.choices:
        assert re.search(rf"^\| `newsletter {name}\b", text, flags=re.MULTILINE), name
