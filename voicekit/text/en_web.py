"""English rules for e-mail addresses and web addresses, read out the way people dictate them.

- "abc@gmail.com" -> "abc at gmail dot com"; "a_b-c" -> "a underscore b dash c".
- "https://www.nvidia.com/dgx-basepod" -> "HTTPS colon slash slash WWW dot nvidia dot com slash dgx dash
  basepod" (scheme and "www" in capitals, so a voice spells them).
- Numbers inside are read as numbers, digit by digit where they are identifiers (leading zero, ten or more
  digits); letters and digits glued together are taken apart ("abc1" -> "abc one").
- A bare domain needs a common top-level domain ("nvidia.com", not "file.txt"); a period, comma or bracket
  that closes the sentence is never part of an address.
"""

from __future__ import annotations

import re

from voicekit.text.en_numbers import integer_words
from voicekit.text.rules import Rule, compile_rule

_SYMBOLS = {".": "dot", "-": "dash", "_": "underscore", "/": "slash", "+": "plus", "&": "ampersand",
            "~": "tilde", "=": "equals", "?": "question mark", "#": "hash", "%": "percent", ":": "colon"}
_TOP_LEVEL = "com|org|net|edu|gov|io|ai|co|uk|de|fr|it|es|nl|us|ca|au|info|dev|app|ly|me|tv"
_ADDRESS_CHARS = r"[\w.\-~+&=?#%/]"
_CLOSING = r"(?<![.,;:!?)\]'\"])"
_EMAIL = r"(?<![A-Za-z_+])[\w.+&-]*\w@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![A-Za-z_@])"
_URL = (
    r"(?<![A-Za-z_@/.])(?:(?P<scheme>https?|ftp|file)://+(?P<host>[\w.-]*)|(?P<www>www)\.(?P<rest>[\w-]+))"
    rf"(?:{_ADDRESS_CHARS}*\w/?|/)?{_CLOSING}"
)
_DOMAIN = (rf"(?<![A-Za-z_@/.-])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.(?:{_TOP_LEVEL})(?![A-Za-z_@])"
           rf"(?:/{_ADDRESS_CHARS}*)?{_CLOSING}")


def _spoken_part(part: str) -> str:
    """One run of letters, digits or a symbol, spoken: digits as a number, symbols by name."""
    if part.isdigit():
        return integer_words(part)
    return _SYMBOLS.get(part, part)


def spoken_address(written: str) -> str:
    """An address split into letters, digits and symbols, each spoken ("a.b3" -> "a dot b three")."""
    parts = re.findall(r"[A-Za-z]+|\d+|[^\w\s]|_", written)
    return " ".join(_spoken_part(part) for part in parts if part.strip())


def _speak_email(match: re.Match[str]) -> str:
    """ "abc@gmail.com" -> "abc at gmail dot com"."""
    local, _, domain = match.group(0).rpartition("@")
    return f"{spoken_address(local)} at {spoken_address(domain)}"


def _speak_url(match: re.Match[str]) -> str:
    """A web address: the scheme and "www" in capitals, then the host and path part by part."""
    written = match.group(0)
    spoken = []
    scheme = re.match(r"(https?|ftp|file)(:/+)", written)
    if scheme:
        spoken.append(scheme.group(1).upper() + " colon" + " slash" * (len(scheme.group(2)) - 1))
        written = written[scheme.end() :]
    if written.lower().startswith("www."):
        spoken.append("WWW dot")
        written = written[4:]
    spoken.append(spoken_address(written))
    return " ".join(part for part in spoken if part)


WEB_RULES: tuple[Rule, ...] = (
    compile_rule("email", _EMAIL, _speak_email, trigger="@"),
    compile_rule("url", _URL, _speak_url, trigger=r"://|www\."),
    compile_rule("domain", _DOMAIN, _speak_url, trigger=rf"\.(?:{_TOP_LEVEL})\b"),
)
