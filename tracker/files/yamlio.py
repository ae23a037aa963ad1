"""Safe YAML in and out, with YAML's traps defused.

Loading uses a safe loader that keeps ``yes``/``no``/``on``/``off`` as the
strings an analyst typed (YAML 1.1 would turn them into booleans), keeps
dates as dates, refuses aliases (no "billion laughs"), and limits nesting and
size. Dumping quotes every string that a YAML reader could mistake for
something else, so files round-trip.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

from ..errors import FileFormatError

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32
#: values (scalars, lists, mappings; a key counts too) in one file: a scenario of 1,000 questions with 8
#: forecasts each holds about 85,000; a list of a million numbers is refused after this many, in seconds
MAX_NODES = 100_000

_BOOL_WORDS = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")


class _Rules:
    """What a tracker file may hold: only true/false are booleans, aliases
    are refused, nesting and size are limited. Mixed into a loader whose
    composer is PyYAML's own Python one (the limits are checked as each
    node is composed, before anything is built)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in tracker files", event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        self._nodes = getattr(self, "_nodes", 0) + 1
        if self._nodes > MAX_NODES:
            self._depth -= 1
            raise yaml.constructor.ConstructorError(
                None, None, f"more than {MAX_NODES:,} values in one file (the limit; split the file)",
                self.peek_event().start_mark,
            )
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.constructor.ConstructorError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        """A key written twice is refused (YAML would keep the last one silently)."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"the key {key_node.value!r} appears twice in one mapping", key_node.start_mark
                        )
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


    def construct_yaml_timestamp(self, node):
        """A timestamp the calendar does not have (2018-13-45, 2019-02-29,
        T25:00:00, an offset of +25:00) stays the text written, so that the
        schema refuses it naming the file, the entry and the field."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


class _PyLoader(_Rules, yaml.SafeLoader):
    """The rules over PyYAML's pure-Python scanner and parser."""


def _c_loader():
    """The rules over libyaml's scanner and parser (several times faster on a
    large file) where PyYAML was built with it. Only the events come from C:
    the nodes are still composed by the Python composer, so every limit is
    checked before a node is built, and libyaml's own composer (which would
    expand aliases and recurse on deep nesting) is never used."""
    try:
        from yaml.cyaml import CParser
    except ImportError:  # PyYAML without libyaml
        return None
    from yaml.composer import Composer

    class _CLoader(_Rules, Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    return _CLoader


_Loader = _c_loader() or _PyLoader

for _loader in {_Loader, _PyLoader}:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _Rules.construct_yaml_timestamp)
    # the implicit resolvers without YAML 1.1's yes/no/on/off booleans
    _loader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
    }
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )


def _load(text: str) -> Any:
    """The document, read by the fast loader; a file it refuses is read again
    by the pure-Python one, whose messages say what was expected where."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - both loaders are safe ones (SafeConstructor)
    except yaml.constructor.ConstructorError:  # a limit of this tool's or a bad value: the same message
        raise
    except yaml.YAMLError:  # not YAML at all: say it as the Python parser words it
        if _Loader is _PyLoader:
            raise
    return yaml.load(text, Loader=_PyLoader)  # noqa: S506


def load_yaml(text: str | bytes, filename: str = "<input>") -> Any:
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise FileFormatError(f"{filename}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileFormatError(f"{filename}: not UTF-8 text") from None
    if len(text) > MAX_BYTES:
        raise FileFormatError(f"{filename}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    if "\x00" in text:
        raise FileFormatError(f"{filename}: binary data (NUL byte) in a YAML file")
    try:
        return _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise FileFormatError(f"{filename}:{where}: {problem}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise FileFormatError(f"{filename}: invalid YAML ({type(exc).__name__})") from None


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = None
    if "\n" in value:
        style = "|"
    elif _BOOL_WORDS.match(value) or _looks_typed(value):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _looks_typed(value: str) -> bool:
    """Would a YAML reader resolve this plain scalar to a non-string?"""
    try:
        loaded = yaml.safe_load(value)
    except yaml.YAMLError:
        return True
    return not isinstance(loaded, str) or loaded != value


def _datetime_representer(dumper: yaml.SafeDumper, value: datetime):
    text = value.isoformat().replace("+00:00", "Z")
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(datetime, _datetime_representer)
_Dumper.add_representer(date, yaml.SafeDumper.represent_date)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
