"""Detectors driven directly by the word lists: vague, subjective, open-ended and weak wording.

Each list match becomes a finding unless context shows it is harmless: a number right after
it quantifies it ("less than 5 s"), an exclusion phrase covers it ("as well as"), or a longer
finding already contains it ("possible" inside "if possible").
"""

from __future__ import annotations

import re

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._match import Match
from core.engines.heuristic._text import CLAUSE_MARKS, is_number

LEXICAL_CODES = (
    "placeholder",
    "loophole",
    "weak_modal",
    "ambiguous_modal",
    "weak_phrase",
    "vague_term",
    "vague_quantifier",
    "subjective_term",
    "nonverifiable_term",
    "unbounded_objective",
    "superlative",
    "comparative",
    "negative",
    "vague_reference",
    "design_term",
    "filler",
    "rationale",
)
# A number this close after the term quantifies it, so the term is no longer vague.
QUANTIFIED_CODES = frozenset({"vague_term", "subjective_term", "superlative", "comparative"})
# Codes a quantity anywhere in their clause bounds: "shall not exceed 3 Nm", "minimize the
# waiting time to 30 s".
BOUNDED_CODES = frozenset({"negative", "unbounded_objective"})
QUANTIFY_WINDOW = 3
# How far after a document noun its identifier may come ("Lastenheft 'Fences'", "ISO 26262").
REFERENCE_WINDOW = 4
QUOTES = frozenset({"'", '"', "„", "“", "”", "‚", "‘", "’", "«", "»"})
# Tokens between a term and its number that do not count towards the window.
QUANTITY_SIGNS = frozenset({"(", "=", "<", ">", "≤", "≥", "±", "~"})
NEGATORS = frozenset({"not", "never", "nicht", "nie", "niemals"})
# A bracketed gap ("[measurable bound]", "[specify: ...]", "[Wert]") is template text a person
# must still fill in, in any language. Not gaps: numeric citations ("[1]", "[2, 5-7]") and
# markdown links ("[text](url)"). Bounded and without nesting, so the scan stays linear.
BRACKET_RE = re.compile(r"\[[^\[\]\n]{1,200}\](?!\()")
CITATION_RE = re.compile(r"[\d\s,;.\-–]+")
FORMULA_RE = re.compile(r"[=<>|&_≤≥]|\.\.")
UNIT_BRACKET_MAX = 6  # "[m/s]", "[km/h]": a short bracket with a slash is a unit


def detect_lexical(ctx: Ctx) -> list[Hit]:
    """Findings for every list category, filtered by context."""
    excluded = [(m.start, m.end) for m in ctx.matches("_exclude")]
    hits: list[Hit] = []
    for code in LEXICAL_CODES:
        for m in ctx.matches(code):
            if any(s <= m.start and m.end <= e for s, e in excluded):
                continue
            if _keep(ctx, code, m):
                hits.append(Hit(code, m.start, m.end, m.hint))
    hits += _vague_adverbs(ctx, {(h.start, h.end) for h in hits})
    hits += _unidentified_documents(ctx)
    hits += _outside_reference(ctx)
    hits += bracketed_gaps(ctx.doc.text, ctx.lex.words("units"))
    return _drop_contained(hits)


def bracketed_gaps(text: str, units: frozenset[str] = frozenset()) -> list[Hit]:
    """Placeholder hits for bracketed gaps (see BRACKET_RE) that are not notation."""
    return [
        Hit("placeholder", m.start(), m.end())
        for m in BRACKET_RE.finditer(text)
        if not _notation(text, m.start(), m.group()[1:-1].strip(), units)
    ]


def _notation(text: str, start: int, inner: str, units: frozenset[str]) -> bool:
    """Brackets that are notation, not a gap to fill: a citation ("[1]"), an index glued to
    a name ("v[t0]"), a formula or condition ("[x < 5]"), an identifier ("[s_ID]"), a range
    or number ("[0..90°]") and a unit ("[m/s]")."""
    return (
        CITATION_RE.fullmatch(inner) is not None
        or (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"))
        or FORMULA_RE.search(inner) is not None
        or inner[:1].isdigit()
        or inner.lower() in units
        or (len(inner) <= UNIT_BRACKET_MAX and "/" in inner)
    )


def _vague_adverbs(ctx: Ctx, taken: set[tuple[int, int]]) -> list[Hit]:
    """Manner and degree adverbs ('-ly') not in the precise list are possibly vague."""
    rule = ctx.lex.data.get("vague_adverbs")
    if not rule:
        return []
    suffix, min_len = rule["suffix"], rule["min_length"]
    precise = ctx.lex.words("precise_adverbs")
    doc = ctx.doc
    return [
        Hit("vague_adverb", doc.starts[i], doc.ends[i])
        for i, low in enumerate(doc.lowers)
        if low.endswith(suffix)
        and len(low) >= min_len
        and low.isalpha()
        and low not in precise
        and (doc.starts[i], doc.ends[i]) not in taken
    ]


def _unidentified_documents(ctx: Ctx) -> list[Hit]:
    """'within the specification', 'gemäß Norm': a document named by its kind alone, with no
    identifier (a number, an ID, a quoted or capitalised title) close to it, is a reference
    no reader can follow."""
    doc = ctx.doc
    nouns = ctx.lex.words("document_nouns")
    hits = []
    for i, low in enumerate(doc.lowers):
        if low not in nouns:
            continue
        s_lo, s_hi = doc.sentences[doc.sentence_of(i)]
        window = range(max(s_lo, i - 1), min(s_hi, i + 1 + REFERENCE_WINDOW))
        titled = i + 1 < s_hi and doc.token(i + 1)[:1].isupper()  # "Kapitel Degradation"
        if titled or _modifier(ctx, i) or any(_identifier(doc.token(j)) for j in window if j != i):
            continue
        hits.append(Hit("vague_reference", doc.starts[i], doc.ends[i]))
    return hits


def _modifier(ctx: Ctx, i: int) -> bool:
    """English writes compounds apart: in 'document management system' the noun only
    qualifies the next one. (German glues them: 'Dokumentenverwaltung'.)"""
    lowers = ctx.doc.lowers
    if not ctx.lex.data.get("open_compounds") or i + 1 >= len(lowers):
        return False
    nxt = lowers[i + 1]
    return (
        nxt.isalpha()
        and nxt not in ctx.lex.words("stopwords")
        and nxt not in ctx.lex.words("modal_words")
    )


def _outside_reference(ctx: Ctx) -> list[Hit]:
    """'This object shall ...', 'Dazu muss ...': a requirement that opens with a
    demonstrative points at a text outside itself, so it cannot be read on its own."""
    doc = ctx.doc
    if not doc.words or doc.lowers[doc.words[0]] not in ctx.lex.words("outside_references"):
        return []
    first = doc.words[0]
    return [Hit("vague_reference", doc.starts[first], doc.ends[first])]


def _identifier(token: str) -> bool:
    """A token that names a particular document: a number or ID, a quote, an acronym."""
    return (
        any(c.isdigit() for c in token)
        or token in QUOTES
        or "_" in token
        or (len(token) >= 2 and token.isupper())
    )


def _keep(ctx: Ctx, code: str, m: Match) -> bool:
    """Context rules that turn a list match into no finding (see the module docstring)."""
    if ctx.doc.lowers[m.first] in ctx.lex.words("approximators"):
        return _number_follows(ctx, m)  # "about 5 s" is vague; "about the train" is not
    if code == "rationale" and not _purpose_frame(ctx, m):
        return False
    if code in QUANTIFIED_CODES and _quantified(ctx, m):
        return False
    if code in BOUNDED_CODES and _bounded_clause(ctx, m):
        return False
    if code == "negative" and _in_subordinate_clause(ctx, m):
        return False
    if code == "weak_modal" and (
        _limited_permission(ctx, m)
        or _negated_ability(ctx, m)
        or _inverted_condition(ctx, m)
        or _under_strong_modal(ctx, m)
        or _subordinate_possibility(ctx, m)
    ):
        return False
    return True


def _number_follows(ctx: Ctx, m: Match) -> bool:
    lowers = ctx.doc.lowers
    return m.last < len(lowers) and is_number(lowers[m.last])


def _purpose_frame(ctx: Ctx, m: Match) -> bool:
    """German 'um' is a rationale only in 'um ... zu <Infinitiv>' ('um 5 Uhr' is not)."""
    frame = ctx.lex.data.get("purpose_frames")
    lowers = ctx.doc.lowers
    if not frame or lowers[m.first] != frame["open"]:
        return True
    window = lowers[m.last : m.last + frame["window"]]
    return frame["close"] in window


def _quantified(ctx: Ctx, m: Match) -> bool:
    """True when a number follows within a few tokens of the same clause ("less than 5 s",
    also in brackets or after a sign: "longer (> 1.9 s)"), or a number and unit come right
    before it ("7 Jahre lang", "2 s long")."""
    lowers, clause_of = ctx.doc.lowers, ctx.doc.clause_of
    i = m.first
    if i >= 2 and is_number(lowers[i - 2]) and lowers[i - 1] in ctx.lex.words("units"):
        return True
    clause, words_seen, i = clause_of[m.first], 0, m.last
    while i < len(lowers) and words_seen < QUANTIFY_WINDOW:
        if lowers[i] in QUANTITY_SIGNS:
            if lowers[i] == "(" and i + 1 < len(lowers):
                clause = clause_of[i + 1]  # a bracket opens a clause; its content still counts
            i += 1
            continue
        if clause_of[i] != clause:
            return False
        if is_number(lowers[i]):
            return True
        words_seen, i = words_seen + 1, i + 1
    return False


def _bounded_clause(ctx: Ctx, m: Match) -> bool:
    """A quantity in the clause turns a prohibition ("shall not exceed 200 ms", "darf kein
    Moment über 3 Nm") or an objective ("minimize ... to 30 s") into a limit a test checks."""
    lo, hi = ctx.clause_span(m.first)
    lowers, units = ctx.doc.lowers, ctx.lex.words("units")
    return any(is_number(lowers[i]) and lowers[i + 1] in units for i in range(lo, hi - 1))


def _inverted_condition(ctx: Ctx, m: Match) -> bool:
    """'Should the sensor fail, ...' / 'Sollte der Sensor ausfallen, ...' is a condition
    (EARS unwanted behaviour), not a weak obligation: the modal opens the sentence."""
    k = ctx.doc.sentence_of(m.first)
    return (
        bool(ctx.doc.sentences)
        and ctx.doc.sentences[k][0] == m.first
        and (ctx.doc.lowers[m.first] in {"should", "sollte", "sollten"})
    )


def _under_strong_modal(ctx: Ctx, m: Match) -> bool:
    """German 'muss ... speichern können': the infinitive 'können' depends on the binding
    'muss', so the obligation stands."""
    if ctx.doc.lowers[m.first] != "können":
        return False
    lo, _ = ctx.clause_span(m.first)
    strong = ctx.lex.words("strong_modal_words")
    return any(t in strong for t in ctx.doc.lowers[lo : m.first])


def _subordinate_possibility(ctx: Ctx, m: Match) -> bool:
    """'If the sensor can fail, the system shall ...': a possibility inside a condition
    describes the trigger. (Inside a relative clause, 'which may contain', it still reads as
    an uncertain statement about the object, so that stays a finding.)"""
    return ctx.doc.lowers[m.first] in ctx.lex.words(
        "possibility_modals"
    ) and _in_subordinate_clause(ctx, m, relative=False)


def _in_subordinate_clause(ctx: Ctx, m: Match, *, relative: bool = True) -> bool:
    """The match sits in a condition ('if', 'wenn', 'Ist der Wert ..., so') or, when
    `relative`, in a relative clause (', die ...', 'that'), while a binding modal elsewhere
    in the sentence states the obligation: the clause is not the requirement."""
    lo, hi = ctx.clause_span(m.first)
    lowers = ctx.doc.lowers
    head = lowers[lo + 1] if lowers[lo] in CLAUSE_MARKS and lo + 1 < hi else lowers[lo]
    relatives = ctx.lex.words("relative_pronouns")
    if head in relatives:
        opened = relative and (lowers[lo] == "," or head in ctx.lex.words("subordinators"))
    else:
        opened = head in ctx.lex.words("subordinators") or _opens_consequence(ctx, hi)
    return opened and _binding_elsewhere(ctx, m)


def _opens_consequence(ctx: Ctx, end: int) -> bool:
    """The clause ending at `end` is followed by ', so ...' / ', then ...': it was the
    condition ('Ist der Wert ungültig, so muss ...')."""
    lowers = ctx.doc.lowers
    return (
        end + 1 < len(lowers)
        and lowers[end] == ","
        and lowers[end + 1] in ctx.lex.words("consequence_openers")
    )


def _binding_elsewhere(ctx: Ctx, m: Match) -> bool:
    """A binding modal in the match's sentence, outside the match's clause."""
    doc = ctx.doc
    lo, hi = ctx.clause_span(m.first)
    s_lo, s_hi = doc.sentences[doc.sentence_of(m.first)]
    return ctx.bindings_between(s_lo, s_hi) > ctx.bindings_between(lo, hi)


def _limited_permission(ctx: Ctx, m: Match) -> bool:
    """German 'darf' grants a permission (DIN 820-2), so alone it binds nothing; with a
    negation, 'nur' or a bound in its clause ('darf nicht', 'darf nur', 'darf maximal 5 %')
    it is a prohibition or a limit, which binds."""
    if ctx.doc.lowers[m.first] not in ctx.lex.words("permission_modals"):
        return False
    lo, hi = ctx.clause_span(m.first)
    limits = ctx.lex.words("permission_limits")
    return any(low in limits or is_number(low) for low in ctx.doc.lowers[lo:hi])


def _negated_ability(ctx: Ctx, m: Match) -> bool:
    """'can not' / 'can never' deny an ability: a negative statement, not a weak modal.

    'may not' stays weak: it reads as a prohibition or as a mere possibility.
    """
    lowers = ctx.doc.lowers
    nxt = lowers[m.last] if m.last < len(lowers) else ""
    return lowers[m.first] in {"can", "kann", "können"} and nxt in NEGATORS


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Drop a finding strictly inside a longer one; negatives always stay.

    Spans sorted by start, longest first: a span is inside a longer one exactly when an
    earlier span reaches at least as far (one sweep, no pairwise comparison).
    """
    spans = sorted({(h.start, h.end) for h in hits}, key=lambda s: (s[0], -s[1]))
    inside: set[tuple[int, int]] = set()
    reach = -1
    for start, end in spans:
        if reach >= end:
            inside.add((start, end))
        reach = max(reach, end)
    return [h for h in hits if h.code == "negative" or (h.start, h.end) not in inside]
