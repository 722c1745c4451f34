"""Near-duplicate requirements within one batch, by a cheap lexical measure.

Jaccard similarity of character trigram sets of the normalised texts (case, punctuation
and spacing ignored). Pairs are only compared when their set sizes allow the threshold
(|A ∩ B| / |A ∪ B| <= min / max), so typical batches cost far less than all pairs.
Embeddings can replace this once a provider is configured; the output shape stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.batch_schemas import DuplicatePair

DEFAULT_THRESHOLD = 0.8
_NOISE = re.compile(r"[\W_]+")


def trigrams(text: str) -> frozenset[str]:
    """Character trigrams of the text, lower-cased with punctuation folded into spaces."""
    normal = f" {_NOISE.sub(' ', text.lower()).strip()} "
    return frozenset(normal[i : i + 3] for i in range(len(normal) - 2))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def near_duplicates(
    texts: Mapping[str, str], *, threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicatePair]:
    """Pairs (in input order) whose similarity reaches the threshold, most similar first."""
    order = {key: position for position, key in enumerate(texts)}
    grams = sorted(((len(g), key, g) for key, g in ((k, trigrams(t)) for k, t in texts.items())),
                   key=lambda entry: entry[0])
    pairs = []
    for i, (size_a, key_a, grams_a) in enumerate(grams):
        for size_b, key_b, grams_b in grams[i + 1 :]:
            if size_a < threshold * size_b:
                break  # sizes only grow from here: no later pair can reach the threshold
            similarity = jaccard(grams_a, grams_b)
            if similarity >= threshold:
                first, second = sorted((key_a, key_b), key=order.__getitem__)
                pairs.append(DuplicatePair(a=first, b=second, similarity=round(similarity, 3)))
    pairs.sort(key=lambda p: (-p.similarity, order[p.a], order[p.b]))
    return pairs
