"""ARTA DS1 smells with a project glossary: the DS1 table without and with one, beside ARTA.

The glossary (default bench/glossaries/smell_definitions.csv) is written only from the
published definitions of the smell categories (ISO/IEC/IEEE 29148, Femmer et al., NASA ARM,
RFC 2119; its header says which word comes from where), never from DS1's rows or labels. It
shows what a project gains by handing the engine the smell catalogue it works to, through the
same GLOSSARY_PATH mechanism a real project would use. The scoring is heuristic_quality.py's
(requirement-level, same code mapping), imported rather than copied.

Measures only; nothing from the dataset is stored in the repository.

    .venv/bin/python bench/ds1_glossary.py [--data DIR] [--glossary FILE]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from heuristic_quality import DS1_CATEGORIES, ROOT, confusion, prf, read_csv

from core.engines.heuristic import analyse
from core.glossary import Glossary, read_glossary

DEFAULT_GLOSSARY = Path(__file__).resolve().parent / "glossaries" / "smell_definitions.csv"
Flagged = Callable[[int, str], bool]


def engine_codes(texts: Sequence[str], glossary: Glossary | None) -> list[set[str]]:
    """The finding codes the engine reports per requirement."""
    return [{h.code for h in analyse(text, "en", glossary)[0]} for text in texts]


def table(title: str, gold: list[dict[str, str]], systems: dict[str, Flagged]) -> None:
    """One P/R/F1 table per smell (and micro over the eight), one column per system."""
    totals = {name: [0, 0, 0] for name in systems}
    print(f"\n{title}")
    print(f"| smell | gold+ | {' | '.join(f'{n} P/R/F1' for n in systems)} |")
    print("|---|---:|" + "---:|" * len(systems))
    for col in DS1_CATEGORIES:
        truth = [r[col].strip() != "-" for r in gold]
        cells = []
        for name, flagged in systems.items():
            counts = confusion(truth, [flagged(i, col) for i in range(len(gold))])
            totals[name] = [a + b for a, b in zip(totals[name], counts, strict=True)]
            cells.append("{:.2f}/{:.2f}/**{:.3f}**".format(*prf(*counts)))
        print(f"| {col} | {sum(truth)} | {' | '.join(cells)} |")
    micro = " | ".join("{:.2f}/{:.2f}/**{:.3f}**".format(*prf(*totals[n])) for n in systems)
    print(f"| micro (8 smells) | | {micro} |")


def by_codes(codes: list[set[str]]) -> Flagged:
    return lambda i, col: bool(codes[i] & set(DS1_CATEGORIES[col]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--glossary", type=Path, default=DEFAULT_GLOSSARY)
    args = parser.parse_args()
    folder = args.data / "arta-smells"
    gold = read_csv(folder / "DS1.csv")
    arta = read_csv(folder / "baselines" / "DS1_pred_ARTA.csv")
    glossary = read_glossary(args.glossary)
    texts = [r["Requirement_text"] for r in gold]
    plain, with_glossary = engine_codes(texts, None), engine_codes(texts, glossary)

    def arta_flagged(i: int, col: str) -> bool:
        return arta[i][col].strip() != "-"

    changed = sum(a != b for a, b in zip(plain, with_glossary, strict=True))
    print(f"DS1 ({len(gold)} requirements), requirement-level P/R/F1")
    print(
        f"glossary: {args.glossary.name}, {len(glossary.terms)} entries; "
        f"the codes of {changed} requirements change"
    )
    table("Without a glossary", gold, {"ours": by_codes(plain), "ARTA": arta_flagged})
    table(
        f"With the glossary {args.glossary.name}",
        gold,
        {"ours + glossary": by_codes(with_glossary), "ARTA": arta_flagged},
    )


if __name__ == "__main__":
    main()
