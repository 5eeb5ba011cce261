"""Recognising the groups of units a plan gives work to ("Các LĐLĐ huyện, thành phố",
"Đảng ủy các phường", "các chi bộ, đảng bộ trực thuộc Quận ủy") and what kind of units each
stands for. Pure Python: the caller resolves the anchor and expands the group."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Keyword (folded) → bloc of the units it names. Order matters only for readability.
_BLOC_WORDS: tuple[tuple[str, str], ...] = (
    ("to chuc co so dang", "party_committee"),
    ("to chuc dang", "party_committee"),
    ("chi bo", "party_committee"),
    ("dang bo", "party_committee"),
    ("dang uy", "party_committee"),
    ("cap uy", "party_committee"),
    ("cong doan", "mass_organisation"),
    ("ldld", "mass_organisation"),
    ("lien doan lao dong", "mass_organisation"),
    ("doan the", "mass_organisation"),
    ("to chuc chinh tri xa hoi", "mass_organisation"),
    ("to chuc ct xh", "mass_organisation"),
    ("hoi doan the", "mass_organisation"),
    ("mat tran", "front"),
    ("mttq", "front"),
    ("phong ban", "government_department"),
    ("phong, ban", "government_department"),
    ("truong", "school"),
)
_LEVEL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("co so", ("commune", "grassroots")),
    ("phuong", ("commune",)),
    ("xa", ("commune",)),
    ("dac khu", ("commune",)),
    ("huyen", ("district",)),
    ("quan", ("district",)),
    ("thi xa", ("district",)),
    ("thanh pho", ("district",)),
)
_UNDER = re.compile(r"\btruc thuoc\s+(.+)$")
_GROUP_MARK = re.compile(r"\b(cac|nhung)\b")


@dataclass(frozen=True, slots=True)
class GroupGuess:
    """What a group phrase stands for: blocs and levels of units, how deep under the anchor,
    and the words naming the anchor when it is not the issuer ("trực thuộc Quận ủy")."""

    label: str
    blocs: tuple[str, ...]
    levels: tuple[str, ...]
    everywhere_below: bool
    anchor_words: str | None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^\w,]+", " ", plain).strip()


def guess_group(words: str) -> GroupGuess | None:
    """The group a phrase names, or None when it names a single unit or nothing precise
    ("các cơ quan liên quan" stays words for a person to read)."""
    folded = _fold(words)
    if not _GROUP_MARK.search(folded) and "doan the" not in folded:
        return None
    blocs: list[str] = []
    for keyword, bloc in _BLOC_WORDS:
        if keyword in folded and bloc not in blocs:
            blocs.append(bloc)
    if not blocs:
        return None
    anchor_words = None
    under = _UNDER.search(_fold(words).replace(",", " "))
    if under:
        anchor_words = under.group(1).strip()
    # Level words describing the anchor ("trực thuộc Quận ủy") do not describe the members,
    # and "xã hội" (social) is no commune.
    described = folded[: under.start()] if under else folded
    described = described.replace("xa hoi", " ")
    levels: list[str] = []
    for keyword, found in _LEVEL_WORDS:
        if re.search(rf"\b{keyword}\b", described):
            levels.extend(level for level in found if level not in levels)
    everywhere_below = "cac cap" in folded or "tren dia ban" in folded
    return GroupGuess(
        label=" ".join(words.split()),
        blocs=tuple(blocs),
        levels=tuple(levels),
        everywhere_below=everywhere_below,
        anchor_words=anchor_words,
    )
