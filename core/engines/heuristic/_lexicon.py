"""Load the per-language word lists once and compile them into a phrase matcher.

The lists live in core/lexicons/<lang>.json (data, not code). Phrases are matched as token
sequences through a dict keyed by their first token, so matching costs one lookup per token
instead of one regex alternation per category; only the few 're:' entries run as regexes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from core.engines.base import Language
from core.engines.heuristic._text import TOKEN_RE

LEXICON_DIR = Path(__file__).resolve().parents[2] / "lexicons"
# German adjective endings a '~' entry accepts: schnell~ -> schnell, schnelle, schnellem, ...
ADJECTIVE_ENDINGS = ("", "e", "em", "en", "er", "es")
# Lists outside "terms" that the detectors also look up as phrases.
AUX_LISTS = {
    "_binding": "binding_modals",
    "_strong": "strong_modals",
    "_claim": "quality_claims",
    "_bound": "bound_words",
    "_conj": "conjunctions",
    "_measure": "measure_words",
    "_exclude": "exclude",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase of a word list, as lower-cased tokens."""

    category: str
    tokens: tuple[str, ...]
    hint: str


@dataclass(frozen=True, slots=True)
class Phrases:
    """Entries starting with one token: single words, and longer phrases by their second token."""

    singles: tuple[Entry, ...]
    by_second: dict[str, tuple[Entry, ...]]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything language-specific the detectors need, compiled once."""

    language: Language
    data: dict[str, Any]
    phrases: dict[str, Phrases]
    pattern: re.Pattern[str] | None
    pattern_meta: tuple[tuple[str, str], ...]
    sets: dict[str, frozenset[str]]

    def words(self, key: str) -> frozenset[str]:
        """Return a named word set (lower case). An unknown name is an error, not an empty
        set: a typo must not silently switch a rule off."""
        try:
            return self.sets[key]
        except KeyError:
            raise KeyError(f"lexicon {self.language!r} has no word list {key!r}") from None

    def text(self, group: str, key: str) -> str:
        """Return a message template from the data file."""
        value: str = self.data[group][key]
        return value


@cache
def load(language: Language) -> Lexicon:
    """Read and compile the lexicon of one language; cached for the process lifetime."""
    data = json.loads((LEXICON_DIR / f"{language}.json").read_text(encoding="utf-8"))
    entries: list[Entry] = []
    raw: list[str] = []
    meta: list[tuple[str, str]] = []
    for category, items in _named_lists(data):
        for item in items:
            term, hint = (item, "") if isinstance(item, str) else (item["t"], item.get("hint", ""))
            if term.startswith("re:"):
                raw.append(rf"(?<![\w-])({term[3:]})")
                meta.append((category, hint))
            else:
                entries.extend(expand_term(category, term, hint))
    # One pass for all raw patterns: each alternative is one capturing group, so
    # m.lastindex names the entry that matched.
    pattern = re.compile("|".join(raw), re.IGNORECASE) if raw else None
    return Lexicon(language, data, _index(entries), pattern, tuple(meta), _sets(data))


def _named_lists(data: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """All phrase lists: the finding categories, the auxiliary lists and synonym groups."""
    lists: list[tuple[str, list[Any]]] = list(data["terms"].items())
    lists += [(name, data.get(key, [])) for name, key in AUX_LISTS.items()]
    lists += [(f"_syn:{i}", group) for i, group in enumerate(data.get("synonym_groups", []))]
    return lists


def expand_term(category: str, term: str, hint: str) -> list[Entry]:
    """Turn one written term into token entries, expanding '~' to adjective endings."""
    endings = ADJECTIVE_ENDINGS if term.endswith("~") else ("",)
    base = term.rstrip("~")
    out = []
    for ending in endings:
        tokens = tuple(m.group().lower() for m in TOKEN_RE.finditer(base + ending))
        if tokens:
            out.append(Entry(category, tokens, hint))
    return out


def _index(entries: list[Entry]) -> dict[str, Phrases]:
    """Group entries by first token (and second token for phrases), longest phrase first."""
    singles: dict[str, list[Entry]] = {}
    multis: dict[str, dict[str, list[Entry]]] = {}
    for entry in entries:
        first = entry.tokens[0]
        if len(entry.tokens) == 1:
            singles.setdefault(first, []).append(entry)
        else:
            multis.setdefault(first, {}).setdefault(entry.tokens[1], []).append(entry)
    return {
        first: Phrases(
            tuple(singles.get(first, ())),
            {
                second: tuple(sorted(group, key=lambda e: -len(e.tokens)))
                for second, group in multis.get(first, {}).items()
            },
        )
        for first in singles.keys() | multis.keys()
    }


def _sets(data: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Flat lower-case word sets used for single-token lookups."""
    pron = data.get("pronouns", {})
    passive = data.get("passive", {})
    sets = {
        key: _lower(data.get(key, []))
        for key in (
            "stopwords",
            "units",
            "verbs",
            "possibility_modals",
            "permission_modals",
            "permission_limits",
            "document_nouns",
            "relative_pronouns",
            "consequence_openers",
            "outside_references",
            "separable_prefixes",
            "participle_prefixes",
        )
    }
    sets.update({f"pron_{k}": _lower(v) for k, v in pron.items() if isinstance(v, list)})
    sets.update({f"passive_{k}": _lower(v) for k, v in passive.items()})
    sets.update({f"ears_{k}": _lower(v) for k, v in data.get("ears", {}).items()})
    sets["precise_adverbs"] = _lower(data.get("vague_adverbs", {}).get("precise", []))
    sets["strong_modal_words"] = _lower(data.get("strong_modals", []))
    sets["approximators"] = _lower(data.get("approximators", []))
    sets["subordinators"] = _lower(data.get("negation_subordinators", []))
    sets["abbreviations"] = frozenset(
        m.group().lower()
        for a in data.get("sentence_abbreviations", [])
        for m in list(TOKEN_RE.finditer(a))[-2:-1]
    )
    sets["weak_modal_words"] = frozenset(
        (t if isinstance(t, str) else t["t"]).lower() for t in data["terms"]["weak_modal"]
    )
    sets["modal_words"] = frozenset(
        w for w in sets["weak_modal_words"] | _lower(data.get("binding_modals", [])) if " " not in w
    )
    return sets


def _lower(items: list[str]) -> frozenset[str]:
    return frozenset(i.lower().rstrip("~") for i in items)
