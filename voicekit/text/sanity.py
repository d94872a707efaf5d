"""Warnings about documents that cost far more requests than their length promises.

Prose packs into chunks close to the limit: about 1.2 to 1.5 times the fewest requests the document's text needs
(`ceil(characters / max_chars)`, counted on the document's text before numbers become words). A Markdown table,
code or a list of short items becomes one short chunk per cell or line, and its numbers grow into words: a 496 KB
table made 7,182 requests. A plan over `RATIO_LIMIT` times the fewest is flagged before anything is sent.
"""

from __future__ import annotations

import math

RATIO_LIMIT = 2.0
"""More requests than this times the fewest possible is flagged."""
MIN_REQUESTS = 20
"""Short documents are never flagged (a few short paragraphs are normal)."""


def request_warnings(requests: int, characters: int, max_chars: int) -> list[str]:
    """A warning when `requests` is out of proportion to the document's `characters` (see the module docstring),
    else none."""
    fewest = max(1, math.ceil(characters / max_chars))
    if requests < MIN_REQUESTS or requests <= RATIO_LIMIT * fewest:
        return []
    return [f"{requests} requests for a document of {characters} characters: {requests / fewest:.1f} times the "
            f"{fewest} that prose of this length needs; the document is mostly short pieces (a table, code, a "
            "list?): check the plan, or remove what should not be read aloud"]
