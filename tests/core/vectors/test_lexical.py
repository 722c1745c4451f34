"""The sparse vector: German and English words, stop words out, BM25 term weights."""

from __future__ import annotations

from core.vectors._lexical import document_vector, query_vector, term_id, terms


def test_terms_lower_case_unicode_words_without_stop_words() -> None:
    assert terms("Die Änderung MUSS der Nutzer bestätigen, and the user shall see it.") == [
        "änderung",
        "muss",
        "nutzer",
        "bestätigen",
        "user",
        "shall",
        "see",
    ]


def test_term_id_is_stable_and_fits_31_bits() -> None:
    assert term_id("muss") == term_id("muss") != term_id("must")
    assert 0 <= term_id("muss") < 2**31


def test_document_vector_saturates_repeated_terms() -> None:
    indices, values = document_vector("log log log log error", avg_len=5)
    weights = dict(zip(indices, values, strict=True))
    assert len(set(indices)) == len(indices)
    assert weights[term_id("log")] > weights[term_id("error")]
    assert weights[term_id("log")] < 4 * weights[term_id("error")]


def test_query_vector_weighs_each_term_once() -> None:
    indices, values = query_vector("login login failure")
    assert sorted(indices) == sorted({term_id("login"), term_id("failure")}) and values == [
        1.0,
        1.0,
    ]
