"""Markdown files with YAML front matter, read so that every value keeps the line it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    body: str
    root: yaml.Node
    first_line: int  # file line of the first YAML line

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """The file line of the value at `loc` (a pydantic error location), or of its nearest parent."""
        node, line = self.root, self.first_line
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
            line = self.first_line + key_node.start_mark.line
        return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part], node.value[part]
    return None


def parse(text: str) -> FrontMatter:
    """Split `---` front matter from the Markdown body and parse it, keeping line numbers."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(1, "the file must start with a '---' line opening the front matter")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise FrontMatterError(1, "the front matter is not closed by a '---' line") from None
    source = "\n".join(lines[1:end])
    loader = _Loader(source)
    try:
        root = (
            loader.get_single_node()
        )  # parsed once: the nodes keep their lines, the data is built from them
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark else 1
        raise FrontMatterError(line, f"YAML syntax: {getattr(error, 'problem', error)}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or root is None:
        raise FrontMatterError(2, "the front matter must be a set of 'key: value' lines")
    body = "\n".join(lines[end + 1 :]).strip()
    return FrontMatter(data=data, body=body, root=root, first_line=2)
