"""Refuse what no view could store or parse, before any view sees it.

PostgreSQL refuses a NUL character in text, neither database can encode a lone UTF-16
surrogate (JSON's "\\ud800"), a JSON body nested thousands deep exhausts the parser's recursion,
and an id past the database's integer makes the query itself fail. Each of these is a mistake
in the request, never the server's: this module answers them 400 (404 for an id in a URL) with a
message naming where the bad input is, once for every route, so no view has to remember.

- `<int:…>` in a URL matches only ids of up to nine digits; a longer one is a 404, as an
  unknown id.
- the path, the query string and form fields (names and values, and uploaded files' names)
  with a NUL character are refused.
- a JSON body (any `application/…json` type) nested deeper than `MAX_JSON_DEPTH`, or holding a
  NUL or a lone surrogate in a key or string, is refused.

Text that is merely odd (scripts, spreadsheet formulas, very long) passes: the forms and the API
validate their fields, and pages and exports escape what they show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# Ids in URLs, as risk keys (tracker.numbering): nine digits stay within PostgreSQL's INTEGER,
# the type of every id column.
MAX_ID_DIGITS = 9
# Far deeper than any body the API documents, far shallower than the parser's recursion limit.
MAX_JSON_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>`: at most MAX_ID_DIGITS digits. A longer number matches no route, whatever the
    method, so it is a 404 like any unknown id instead of a query the database refuses.

    Bounded by the pattern rather than by value: a converter that refuses a matched value
    makes Werkzeug answer 405 for the route's other methods."""

    regex = rf"\d{{1,{MAX_ID_DIGITS}}}"


def unstorable(text: str) -> str | None:
    """What in `text` no database column can hold, in words for a message; None when it is
    fine."""
    if "\x00" in text:
        return "a NUL character (\\u0000)"
    if _SURROGATE.search(text):
        return "a lone surrogate (\\ud800–\\udfff), which is not a character"
    return None


def _request_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text a view might read from the URL or the form."""
    yield "the address", request.path
    for name, value in request.args.items(multi=True):
        yield f"the query parameter {_shown(name)}", name + value
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, value in request.form.items(multi=True):
            yield f"the field {_shown(name)}", name + value
        for name, upload in request.files.items(multi=True):
            yield f"the name of the file sent as {_shown(name)}", name + (upload.filename or "")


def _shown(name: str) -> str:
    """A name safe to put in a message: quoted, cut short, unstorable characters made
    visible."""
    visible = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", name.replace("\x00", "\\0"))
    return repr(visible[:60])


def _json_texts(value: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every key and string in a parsed JSON value; refuses (400) one nested
    deeper than MAX_JSON_DEPTH. Iterative, so no depth can exhaust the stack here."""
    pending: list[tuple[str, Any, int]] = [("", value, 0)]
    while pending:
        path, item, depth = pending.pop()
        if isinstance(item, str):
            yield (f"the JSON value at {path}" if path else "the JSON body"), item
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                _refuse_depth()
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                step = _shown(key) if isinstance(key, str) else f"[{key}]"
                child_path = f"{path}{'.' if isinstance(key, str) and path else ''}{step}"
                if isinstance(key, str):
                    yield f"a key of the JSON object at {path or 'the top'}", key
                pending.append((child_path, child, depth + 1))


def _refuse_depth():
    abort(
        400,
        f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; send the fields as "
        "the API's documentation shows them.",
    )


def _json_body_texts() -> Iterator[tuple[str, str]]:
    if not request.is_json:
        return
    try:
        body = json.loads(request.get_data(as_text=True))
    except RecursionError:
        _refuse_depth()
    except ValueError:
        return  # not JSON at all: the view says so in its own words
    yield from _json_texts(body)


def refuse_unstorable_input() -> None:
    """Before every view: 400 naming the first place that holds text no database can store."""
    for where, text in (*_request_texts(), *_json_body_texts()):
        if problem := unstorable(text):
            abort(
                400, f"{where[0].upper()}{where[1:]} contains {problem}; remove it and send again."
            )


def init_app(app: Flask) -> None:
    """Bound `<int:…>` URL parts (before any blueprint adds its routes) and check every
    request's text before its view."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_unstorable_input)
