"""The sparse lexical vector: BM25 term weights computed here, IDF supplied by Qdrant.

Qdrant multiplies each stored weight by the term's inverse document frequency when the
sparse vector is configured with `Modifier.IDF`, so only the term-frequency half of BM25 is
computed locally: tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)). The average chunk length
is taken to be CHUNK_TOKENS (chunks are cut to it), which keeps a chunk's vector independent
of the rest of the collection and so stable across re-ingests. Terms are hashed (murmur3,
the canary bucket's hash) into 2^31 ids, which Qdrant's u32 indices hold.
"""

from __future__ import annotations

import re
from collections import Counter

import mmh3

K1 = 1.2
B = 0.75
WORD = re.compile(r"\w+")
# Small on purpose: function words only, so that "shall", "muss" or "not" still match.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or that the this to was were with "
    "der die das den dem des ein eine einer eines einem einen und oder ist sind im in am an "
    "auf aus bei mit von vom zu zum zur für als auch es sich wie".split()
)


def terms(text: str) -> list[str]:
    """Lower-cased Unicode words without stop words: German and English alike."""
    return [word for word in WORD.findall(text.lower()) if word not in STOP_WORDS]


def term_id(term: str) -> int:
    """A stable id in [0, 2^31) for the term."""
    return mmh3.hash(term, seed=0, signed=False) & 0x7FFF_FFFF


def document_vector(text: str, *, avg_len: int) -> tuple[list[int], list[float]]:
    """BM25 term-frequency weights of a chunk (indices unique, collisions summed)."""
    found = terms(text)
    weights: dict[int, float] = {}
    norm = K1 * (1 - B + B * len(found) / avg_len)
    for term, tf in Counter(found).items():
        index = term_id(term)
        weights[index] = weights.get(index, 0.0) + tf * (K1 + 1) / (tf + norm)
    return list(weights), list(weights.values())


def query_vector(text: str) -> tuple[list[int], list[float]]:
    """Weight 1 per distinct query term: BM25 scores a query term once, by its IDF."""
    indices = sorted({term_id(term) for term in terms(text)})
    return indices, [1.0] * len(indices)
