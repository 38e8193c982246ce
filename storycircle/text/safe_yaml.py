"""YAML front matter, loaded safely: its node graph is checked before anything is built.

PyYAML's *safe* loader only, and no aliases (which is how "billion laughs"
bombs multiply), no tags beyond the plain YAML types (so ``!!python/object``
never reaches a constructor), bounded node count and depth. Kept apart from
:mod:`storycircle.text.frontmatter`, which reads the rest of a story file, so
each stays short; :class:`FrontMatterError` lives here, the lower of the two,
because these checks raise it.
"""

from __future__ import annotations

from typing import Any

import yaml

from storycircle.errors import StorycircleError
from storycircle.sanitize import sanitize_line

__all__ = ["MAX_DEPTH", "MAX_NODES", "FrontMatterError", "load_yaml"]

MAX_NODES = 2000
"""Most YAML nodes (scalars, lists, mappings) one front matter may hold."""

MAX_DEPTH = 16
"""Deepest nesting of lists and mappings accepted in front matter."""

# The plain YAML types. Anything else (!!python/..., !!binary, !!set, local
# tags such as !foo) is refused before construction.
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)

# libyaml's loader when available (fast); the checks below work on either.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(StorycircleError):
    """A story file that cannot be read; the message says why in one line."""


def load_yaml(raw: str) -> Any:
    """The value of the YAML front matter ``raw``, its nodes checked before it is built.

    Raises:
        FrontMatterError: not valid YAML, or refused by the checks.
    """
    loader = _Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        _check_nodes(node)
        return _construct(loader, node)
    except yaml.MarkedYAMLError as error:
        where = f"line {error.problem_mark.line + 2}: " if error.problem_mark else ""
        problem = sanitize_line(str(error.problem or error.context or "malformed"))[:80]
        raise FrontMatterError(
            f"has front matter that is not valid YAML ({where}{problem})"
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        raise FrontMatterError("has front matter that is not valid YAML") from None
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node) -> None:
    """Refuse aliases, unusual tags and oversized graphs before construction."""
    # An alias makes the composer hand back a node it has already returned,
    # so a node seen twice is an alias; this also ends cycles.
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise FrontMatterError("uses YAML aliases (*name), which are not accepted")
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise FrontMatterError(f"has more than {MAX_NODES} YAML values in its front matter")
        if depth > MAX_DEPTH:
            raise FrontMatterError("nests lists or mappings too deeply in its front matter")
        if node.tag not in _PLAIN_TAGS:
            tag = sanitize_line(str(node.tag).replace("tag:yaml.org,2002:", "!!"))[:60]
            raise FrontMatterError(f"uses the YAML tag {tag}, which is not accepted")
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


def _construct(loader: Any, node: yaml.Node) -> Any:
    """The value of a checked node: what PyYAML's safe constructor gives, sooner.

    Text, lists and mappings (nearly every node of front matter) are built
    here; every other node (numbers, dates, booleans, null, and any node
    whose tag does not fit its kind, which PyYAML refuses) goes to PyYAML's
    constructor, so the results and errors are PyYAML's. This halves the
    cost of front matter in an import of thousands of files.
    """
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
        return node.value
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_construct(loader, child) for child in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node)
            if isinstance(key, list | dict):
                # Unhashable: PyYAML refuses it with its own message.
                return loader.construct_object(node, deep=True)
            result[key] = _construct(loader, value_node)
        return result
    return loader.construct_object(node, deep=True)
