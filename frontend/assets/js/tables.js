// Tables in and out: a requirements table read from markdown, and any table written as
// markdown, CSV or JSON for export.

const TEXT_COLUMNS = new Set(["requirementtext", "requirement_text", "requirement text", "text", "requirement"]);

/** Split a markdown table row into cells: `\|` is a literal pipe, a pipe inside a
 * `code span` does not split, `<br>` is a line break (as core/markdown.py reads them). */
function cells(line) {
  let body = line.trim();
  if (body.startsWith("|")) body = body.slice(1);
  if (body.endsWith("|") && !body.endsWith("\\|")) body = body.slice(0, -1);
  const out = [];
  let cell = "";
  let code = false;
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i];
    if (char === "\\" && (body[i + 1] === "|" || body[i + 1] === "\\")) {
      cell += body[i + 1];
      i += 1;
    } else if (char === "`") {
      code = !code;
      cell += char;
    } else if (char === "|" && !code) {
      out.push(cell);
      cell = "";
    } else {
      cell += char;
    }
  }
  out.push(cell);
  return out.map((value) => value.trim().replace(/<br\s*\/?>/gi, "\n"));
}

const DELIMITER = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** The rows [{id, text}] of the first table with a requirement-text column; null if none. */
export function parseRequirementsTable(markdown) {
  const lines = markdown.split(/\r?\n/);
  let fenced = false;
  for (let i = 0; i + 1 < lines.length; i += 1) {
    if (/^\s*(```|~~~)/.test(lines[i])) fenced = !fenced;
    if (fenced || !lines[i].includes("|") || !DELIMITER.test(lines[i + 1])) continue;
    const header = cells(lines[i]).map((name) => name.toLowerCase());
    const textAt = header.findIndex((name) => TEXT_COLUMNS.has(name));
    if (textAt < 0) continue;
    const idAt = header.indexOf("id");
    const rows = [];
    for (let j = i + 2; j < lines.length && lines[j].trim().startsWith("|"); j += 1) {
      const row = cells(lines[j]);
      const text = (row[textAt] || "").trim();
      if (!text) continue;
      const id = idAt >= 0 && row[idAt] ? row[idAt].replace(/^`|`$/g, "") : `REQ_${rows.length + 1}`;
      rows.push({ id, text });
    }
    return rows;
  }
  return null;
}

function markdownCell(value) {
  return String(value ?? "")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** columns: [{key, label}]; rows: objects. */
export function toMarkdown(columns, rows) {
  const head = `| ${columns.map((c) => markdownCell(c.label)).join(" | ")} |`;
  const rule = `| ${columns.map(() => "---").join(" | ")} |`;
  const body = rows.map((row) => `| ${columns.map((c) => markdownCell(row[c.key])).join(" | ")} |`);
  return [head, rule, ...body].join("\n") + "\n";
}

function csvCell(value) {
  let text = String(value ?? "");
  // A spreadsheet would run a cell that starts like a formula (CSV injection).
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c.key])).join(","));
  return lines.join("\r\n") + "\r\n";
}

export function toJson(value) {
  return JSON.stringify(value, null, 2) + "\n";
}
