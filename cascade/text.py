"""Text folding for search that ignores Vietnamese diacritics and case."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w%]+")
_VI_ABBREVIATIONS = {
    # Expand the abbreviations staff type and documents print, so "ubnd" finds "Ủy ban nhân dân"
    # and the other way round.
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "mttq": "mat tran to quoc",
    "ldld": "lien doan lao dong",
    "btg": "ban tuyen giao",
    "kh": "ke hoach",
}


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics (đ → d), keeping letters, digits and spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _PUNCT.sub(" ", stripped.lower())).strip()


def search_tokens(query: str) -> list[str]:
    """Split a search query into folded tokens, expanding common abbreviations."""
    tokens: list[str] = []
    for token in fold(query).split():
        tokens.extend(_VI_ABBREVIATIONS.get(token, token).split())
    return tokens[:12]
