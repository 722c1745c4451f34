// Accept/reject decisions on suggestions, saved checksum-only by the API
// (POST /api/v1/corrections/decision and /decision/batch). Saving is a side effect the person
// does not wait for: when a call fails, nothing is shown.

import { call } from "./api.js";

const ONE = "/api/v1/corrections/decision";
const MANY = "/api/v1/corrections/decision/batch";

/** The body the API takes (core/contract/decisions.py): the texts are hashed on arrival;
 * the atom's first criterion, and the code of the finding it fixes where the atom names one. */
function entry(originalText, atom, decision, variant) {
  const body = { requirementText: originalText, suggestion: atom.correction, decision };
  const criterion = Object.keys(atom.criteria || {})[0];
  if (criterion) body.criterion = criterion;
  if (atom.findingCode) body.findingCode = atom.findingCode;
  if (variant === "v1" || variant === "v2") body.variant = variant;
  return body;
}

/** Save one decision per atom; `variant` served the suggestions. */
export async function saveDecisions(originalText, atoms, decision, variant = "") {
  if (!atoms.length) return;
  const entries = atoms.map((atom) => entry(originalText, atom, decision, variant));
  try {
    await call(atoms.length === 1 ? ONE : MANY, { method: "POST", json: atoms.length === 1 ? entries[0] : { items: entries } });
  } catch {
    // a record, not the person's work: the page goes on without it
  }
}
