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
from collections.abc import Sequence
from pathlib import Path

from heuristic_quality import ROOT, Flagged, by_codes, by_output, read_csv, smell_table

from core.engines.heuristic import analyse
from core.glossary import Glossary, read_glossary

DEFAULT_GLOSSARY = Path(__file__).resolve().parent / "glossaries" / "smell_definitions.csv"


def engine_codes(texts: Sequence[str], glossary: Glossary | None) -> list[set[str]]:
    """The finding codes the engine reports per requirement."""
    return [{h.code for h in analyse(text, "en", glossary)[0]} for text in texts]


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
    arta_flagged: Flagged = by_output(arta)
    changed = sum(a != b for a, b in zip(plain, with_glossary, strict=True))
    print(f"DS1 ({len(gold)} requirements), requirement-level P/R/F1")
    print(
        f"glossary: {args.glossary.name}, {len(glossary.terms)} entries; "
        f"the codes of {changed} requirements change"
    )
    smell_table("Without a glossary", gold, {"ours": by_codes(plain), "ARTA": arta_flagged})
    smell_table(
        f"With the glossary {args.glossary.name}",
        gold,
        {"ours + glossary": by_codes(with_glossary), "ARTA": arta_flagged},
    )


if __name__ == "__main__":
    main()
