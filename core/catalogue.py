"""The criteria catalogue as plain data: core/criteria.json, read without a database.

The JSON is the source of truth for the criteria's keys, names, descriptions and weights.
The service serves the database copy that core.store.criteria keeps in line with it; the
engines and the benchmarks read the file through here, so nothing below core.store needs
a session to know what a criterion is called.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

from core.exceptions import InvalidRequest

CATALOGUE_PATH = Path(__file__).with_name("criteria.json")


class CriterionFields(TypedDict):
    """CriterionInfo.to_public(): typed per key, so CriterionPublic(**fields) is checked."""

    key: str
    name: str
    description: str
    weight: float
    active: bool


@dataclass(frozen=True, slots=True)
class CriterionInfo:
    """A criterion as the API shows it, in one language."""

    key: str
    name: str
    description: str
    weight: float
    active: bool

    def to_public(self) -> CriterionFields:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "weight": self.weight,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One criterion of the JSON catalogue, in both languages, at its file position."""

    key: str
    name_en: str
    name_de: str
    description_en: str
    description_de: str
    weight: float
    active: bool
    position: int

    def info(self, language: str) -> CriterionInfo:
        """The criterion named in the given language (English unless "de")."""
        german = language == "de"
        return CriterionInfo(
            key=self.key,
            name=self.name_de if german else self.name_en,
            description=self.description_de if german else self.description_en,
            weight=self.weight,
            active=self.active,
        )


@lru_cache(maxsize=4)
def load_entries(path: Path = CATALOGUE_PATH) -> tuple[CatalogueEntry, ...]:
    """Every criterion of the JSON catalogue, in file order (read once per path)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        CatalogueEntry(
            key=entry["key"],
            name_en=entry["name"]["en"],
            name_de=entry["name"]["de"],
            description_en=entry["description"]["en"],
            description_de=entry["description"]["de"],
            weight=float(entry["weight"]),
            active=bool(entry["active"]),
            position=position,
        )
        for position, entry in enumerate(raw["criteria"])
    )


def catalogue_keys(path: Path = CATALOGUE_PATH) -> tuple[str, ...]:
    """Every criterion key of the catalogue, in file order (active or not)."""
    return tuple(entry.key for entry in load_entries(path))


def catalogue_criteria(language: str = "en") -> list[CriterionInfo]:
    """The active criteria of the default catalogue, as the API lists them, without a
    database (benchmarks and tests judge with exactly what a fresh service would)."""
    return [entry.info(language) for entry in load_entries() if entry.active]


def resolve_criteria(
    available: Sequence[CriterionInfo], requested: Sequence[str] | None
) -> list[CriterionInfo]:
    """The criteria a request asks for (all active ones when it names none).

    Unknown or inactive keys are a client error that names every offending key.
    """
    if not requested:
        return list(available)
    by_key = {criterion.key: criterion for criterion in available}
    unknown = [key for key in requested if key not in by_key]
    if unknown:
        raise InvalidRequest(
            f"unknown criteria keys: {', '.join(unknown)}",
            details={"unknownKeys": unknown, "allowedKeys": sorted(by_key)},
        )
    return [by_key[key] for key in dict.fromkeys(requested)]
