"""User text placed into the Markdown exports, made inert.

A review or a plan exported as Markdown is pasted into wikis and chat tools that render it, so
nothing a person typed may become HTML there or a link that runs a script. Raw HTML is escaped;
links survive only when they point at the web, a mail address or a page of the same site.
"""

from __future__ import annotations

import re

_HTML = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
# [text](destination) and [label]: destination (a reference definition).
_INLINE_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*([^)\s]*)([^)]*)\)")
_REFERENCE = re.compile(r"^( {0,3})\[([^\[\]]+)\]:\s*(\S+)", re.MULTILINE)
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:|#|/|\.)", re.IGNORECASE)
_SCHEME = re.compile(r"^[^/?#]*:")


def safe_destination(url: str) -> bool:
    """Whether a link may point here: http(s), mailto, an anchor or a path without a scheme."""
    return bool(_SAFE_SCHEME.match(url)) or not _SCHEME.match(url)


def _escape_html(text: str) -> str:
    for raw, safe in _HTML:
        text = text.replace(raw, safe)
    return text


def inline(text: object) -> str:
    """Text on one line, with no HTML and no link or image syntax."""
    flat = _escape_html(" ".join(str(text).split()))
    return flat.replace("[", "\\[").replace("]", "\\]")


def cell(text: object) -> str:
    """Text safe in a Markdown table cell: `inline`, with pipes escaped."""
    return inline(text).replace("|", "\\|")


def block(text: str) -> str:
    """Free text kept as Markdown (line breaks, emphasis, web links), with raw HTML escaped and
    every link to another kind of address (javascript:, data:, …) left as plain text."""

    def inline_link(match: re.Match) -> str:
        if safe_destination(match.group(2)):
            return match.group(0)
        return "\\[" + match.group(1) + "\\](" + match.group(2) + match.group(3) + ")"

    def reference(match: re.Match) -> str:
        if safe_destination(match.group(3)):
            return match.group(0)
        return f"{match.group(1)}\\[{match.group(2)}\\]: {match.group(3)}"

    escaped = _escape_html(text)
    return _REFERENCE.sub(reference, _INLINE_LINK.sub(inline_link, escaped))
