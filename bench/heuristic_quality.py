"""Quality benchmark of the heuristic engine on the labelled public datasets.

Measures only: the datasets are read from --data (default ../shared/data next to the repo) and
nothing from them is stored in the repository.

    .venv/bin/python bench/heuristic_quality.py [--data DIR] [--only ds1|anaphora|german|verdict]

Prints four tables: DS1 smells (requirement-level P/R/F1 vs ARTA and the Smella-style
dictionary), pronoun ambiguity (ReqEval, DAMIR), Spearman correlations with the German
expert ratings, and the product's verdict on those ratings (acceptable = expert score >= 4 vs
poor <= 2: ROC AUC of the overall and criterion scores, pass/fail rates, balanced accuracy),
judged through core.evaluation.judge with default settings for all nine criteria and for
clarity/testability/measurability. Needs scipy (p-values, Mann-Whitney U).
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from scipy.stats import mannwhitneyu, spearmanr  # type: ignore[import-untyped]

from core.catalogue import (
    CriterionInfo,
    catalogue_criteria,
    catalogue_keys,
    resolve_criteria,
)
from core.contract.evaluations import EvaluationPublic
from core.engines.heuristic import analyse, assess
from core.evaluation import judge
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
Flagged = Callable[[int, str], bool]  # (row, smell column) -> flagged?
# DS1 column -> the engine's finding codes that mean the same smell.
DS1_CATEGORIES = {
    "Subjective_lang.": ("subjective_term",),
    "Ambiguous_adv._adj.": ("vague_term", "vague_adverb"),
    "Nonverifiable_term": (
        "nonverifiable_term",
        "unbounded_objective",
        "loophole",
        "vague_quantifier",
    ),
    "Superlative": ("superlative",),
    "Comparative": ("comparative",),
    "Negative": ("negative",),
    "Vague_pron.": ("ambiguous_pronoun",),
    "Uncertain_verb": ("weak_modal",),
}
# de-spec-ratings columns (likely mapping, see its README) -> engine criterion.
DE_CRITERIA = {
    "c1_mean": "unambiguity",
    "c2_mean": "design_independence",
    "c3_mean": "consistent_terminology",
    "c7_mean": "testability",
    "c8_mean": "clarity",
    "c9_mean": "completeness",
}
ALL_CRITERIA = catalogue_keys()
# The verdict table's criteria sets: None = every active criterion (what the service uses).
VERDICT_SETS: tuple[tuple[str, ...] | None, ...] = (
    None,
    ("clarity", "testability", "measurability"),
)
ACCEPTABLE, POOR = 4.0, 2.0  # expert score >= ACCEPTABLE vs <= POOR; 3 and missing are left out
OVERALL = "overall (verdict)"
Outcomes = dict[str, tuple[float, bool]]  # table row label -> (score, passed)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def confusion(gold: list[bool], pred: list[bool]) -> tuple[int, int, int]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return tp, fp, fn


def ds1(data: Path) -> None:
    """Requirement-level P/R/F1 per smell, ours vs the two baseline outputs."""
    folder = data / "arta-smells"
    gold = read_csv(folder / "DS1.csv")
    arta = read_csv(folder / "baselines" / "DS1_pred_ARTA.csv")
    smella = read_csv(folder / "baselines" / "DS1_pred_SmellaStyleDict.csv")
    ours = [{h.code for h in analyse(r["Requirement_text"], "en")[0]} for r in gold]
    systems: dict[str, Flagged] = {
        "ours": by_codes(ours),
        "ARTA": by_output(arta),
        "Smella": by_output(smella),
    }
    smell_table(f"DS1 ({len(gold)} requirements), requirement-level P/R/F1", gold, systems)


def by_codes(codes: list[set[str]]) -> Flagged:
    """A system that flags a smell when one of its finding codes was reported."""
    return lambda i, col: bool(codes[i] & set(DS1_CATEGORIES[col]))


def by_output(rows: list[dict[str, str]]) -> Flagged:
    """A baseline tool's output file: '-' means not flagged."""
    return lambda i, col: rows[i][col].strip() != "-"


def smell_table(title: str, gold: list[dict[str, str]], systems: dict[str, Flagged]) -> None:
    """One P/R/F1 row per smell (and micro over the eight), one column per system."""
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


def pronoun_hits(context: str, pronoun: str, position: int | None) -> tuple[bool, bool]:
    """(found, flagged): is the occurrence closest to position reported as ambiguous?"""
    spans = [m.span() for m in re.finditer(rf"\b{re.escape(pronoun)}\b", context)]
    if not spans:
        return False, False
    if position is not None:
        tokens = [m.start() for m in re.finditer(r"\w+|[^\w\s]", context)]
        target = tokens[min(position, len(tokens) - 1)]
        spans.sort(key=lambda s: abs(s[0] - target))
    start, end = spans[0]
    hits = analyse(context, "en")[0]
    return True, any(h.code == "ambiguous_pronoun" and h.start <= start < h.end for h in hits)


def anaphora(data: Path) -> None:
    """Per pronoun occurrence P/R/F1/F2 against the flag-every-pronoun baseline."""
    folder = data / "anaphora-reqeval-damir"
    Occurrence = tuple[str, str, int | None, bool]
    sets: dict[str, list[Occurrence]] = {
        "ReqEval": [
            (r["Context(cj)"], r["Pronoun (pj)"], None, r["DetectedAs"] == "AMBIGUOUS")
            for r in read_csv(folder / "reqeval_detection.csv")
        ],
        "DAMIR": [
            (r["Context"], r["Pronoun"], int(r["Position"]), r["ambiguous"] == "AMBIGUOUS")
            for r in read_csv(folder / "damir_pronoun_occurrences.csv")
        ],
    }
    print("\nPronoun ambiguity, per occurrence")
    print("| set | n | ambiguous | ours P/R/F1/F2 | flag-all P/R/F1 |")
    print("|---|---:|---:|---:|---:|")
    for name, rows in sets.items():
        truth: list[bool] = []
        pred: list[bool] = []
        for context, pronoun, position, ambiguous in rows:
            found, flagged = pronoun_hits(context, pronoun, position)
            if found:
                truth.append(ambiguous)
                pred.append(flagged)
        tp, fp, fn = confusion(truth, pred)
        p, r, f1 = prf(tp, fp, fn)
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        base = prf(*confusion(truth, [True] * len(truth)))
        print(
            f"| {name} | {len(truth)} | {sum(truth)} | {p:.2f}/{r:.2f}/{f1:.2f}/{f2:.2f} | "
            "{:.2f}/{:.2f}/{:.2f} |".format(*base)
        )


@cache
def german_rows(data: Path) -> tuple[dict[str, str], ...]:
    """The German expert ratings, one row per requirement; read once for both tables."""
    return tuple(read_csv(data / "de-spec-ratings" / "per_requirement.csv"))


def german(data: Path) -> None:
    """Spearman rho between criterion scores and the expert means (1-5)."""
    rows = german_rows(data)
    scores = [assess(r["requirement"], criteria=ALL_CRITERIA, language="de") for r in rows]
    by_key = [{c.criterion: c.score for c in a.results} for a in scores]
    print(f"\nGerman expert ratings ({len(rows)} requirements), Spearman rho")
    print("| expert column | criterion | n | rho | p |")
    print("|---|---|---:|---:|---:|")
    for col, criterion in DE_CRITERIA.items():
        pairs = [
            (s[criterion], float(r[col]))
            for s, r in zip(by_key, rows, strict=True)
            if r[col] not in ("", "nan")
        ]
        rho, p = spearmanr([a for a, _ in pairs], [b for _, b in pairs])
        print(f"| {col} | {criterion} | {len(pairs)} | {rho:+.3f} | {p:.2g} |")
    pairs = [
        (sum(s.values()) / len(s), float(r["score"]))
        for s, r in zip(by_key, rows, strict=True)
        if r["score"] not in ("", "nan")
    ]
    rho, p = spearmanr([a for a, _ in pairs], [b for _, b in pairs])
    print(f"| score (overall) | mean of 9 | {len(pairs)} | {rho:+.3f} | {p:.2g} |")


def expert_score(row: dict[str, str]) -> float | None:
    """The overall expert grade (1-5), None when missing."""
    return None if row["score"] in ("", "na", "nan") else float(row["score"])


def german_criteria(keys: Sequence[str] | None) -> list[CriterionInfo]:
    """The active default criteria (German names) as the service resolves them, no database."""
    return resolve_criteria(catalogue_criteria("de"), keys)


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(a positive scores above a negative), ties counted 0.5: Mann-Whitney U / (n1 * n2)."""
    u = mannwhitneyu(positive, negative).statistic
    return float(u) / (len(positive) * len(negative))


def outcomes(result: EvaluationPublic) -> Outcomes:
    """(score, passed) of the overall verdict and of each criterion, by table row label."""
    overall = {OVERALL: (result.score, result.verdict == "pass")}
    return overall | {d.criterion: (d.score, d.passed) for d in result.details}


def verdict_row(
    label: str, good: Sequence[Outcomes], poor: Sequence[Outcomes], rated: Sequence[Outcomes]
) -> str:
    """One table row: AUC of the score, pass/fail rates of the pass decision, balanced accuracy."""
    auc = roc_auc([o[label][0] for o in good], [o[label][0] for o in poor])
    pass_good = sum(o[label][1] for o in good) / len(good)
    fail_poor = 1 - sum(o[label][1] for o in poor) / len(poor)
    pass_all = sum(o[label][1] for o in rated) / len(rated)
    balanced = (pass_good + fail_poor) / 2
    return (
        f"| {label} | {auc:.3f} | {pass_good:.1%} | {fail_poor:.1%} | {balanced:.3f} "
        f"| {pass_all:.1%} |"
    )


def verdict(data: Path) -> None:
    """The service's verdict and scores vs the expert grade, acceptable (>= 4) vs poor (<= 2)."""
    settings = Settings(_env_file=None)
    rated = [(r["requirement"], g) for r in german_rows(data) if (g := expert_score(r)) is not None]
    engine = "llm" if settings.llm_enabled else "heuristic"
    for keys in VERDICT_SETS:
        criteria = german_criteria(keys)
        name = "/".join(keys) if keys else f"all {len(criteria)} active criteria"
        judged = [
            (outcomes(judge(text, criteria=criteria, language="de", settings=settings).result), g)
            for text, g in rated
        ]
        good = [o for o, g in judged if g >= ACCEPTABLE]
        poor = [o for o, g in judged if g <= POOR]
        every = [o for o, _ in judged]
        print(
            f"\nGerman expert ratings, the service's verdict ({name}; {engine} engine, "
            f"VERDICT_THRESHOLD {settings.verdict_threshold}, CRITERION_PASS_THRESHOLD "
            f"{settings.criterion_pass_threshold}): {len(good)} acceptable (score >= 4) / "
            f"{len(poor)} poor (<= 2) of {len(every)} rated"
        )
        print(
            "| score | ROC AUC | pass, acceptable | fail, poor | balanced acc. | pass, all rated |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for label in (OVERALL, *(c.key for c in criteria)):
            print(verdict_row(label, good, poor, every))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    tables: dict[str, Callable[[Path], None]] = {
        "ds1": ds1,
        "anaphora": anaphora,
        "german": german,
        "verdict": verdict,
    }
    parser.add_argument("--only", choices=tuple(tables), default=None)
    args = parser.parse_args()
    for name, run in tables.items():
        if args.only in (None, name):
            run(args.data)


if __name__ == "__main__":
    main()
