// Accept/reject decisions on suggestions, saved checksum-only by the API
// (POST /api/v1/corrections/decision and /decision/batch). Saving is a side effect the person
// does not wait for: where a deployment lacks the routes, or a call fails, nothing is shown.

import { call, hasRoute } from "./api.js";

const ONE = "/api/v1/corrections/decision";
const MANY = "/api/v1/corrections/decision/batch";

/** The body the API takes (core/contract/decisions.py): the texts are hashed on arrival;
 * the atom's first criterion, and its finding code where the atom names one. */
function entry(originalText, atom, decision, variant) {
  const body = { requirementText: originalText, suggestion: atom.correction, decision };
  const criterion = Object.keys(atom.criteria || {})[0];
  if (criterion) body.criterion = criterion;
  if (atom.code) body.findingCode = atom.code;
  if (variant === "v1" || variant === "v2") body.variant = variant;
  return body;
}

/** Save one decision per atom; `variant` served the suggestions. Resolves to whether the
 * API took them. */
export async function saveDecisions(originalText, atoms, decision, variant = "") {
  if (!atoms.length) return false;
  const path = atoms.length === 1 ? ONE : MANY;
  try {
    if (!(await hasRoute(path))) return false;
    const entries = atoms.map((atom) => entry(originalText, atom, decision, variant));
    await call(path, { method: "POST", json: atoms.length === 1 ? entries[0] : { items: entries } });
    return true;
  } catch {
    return false;
  }
}
