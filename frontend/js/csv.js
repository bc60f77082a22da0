// CSV for uploads in parts: split a file into records (quotes respected), keep each record's line
// numbers, and pack records into chunks that each carry the header. A group (one order of a sales
// file, one SKU of a products file) never straddles two chunks, so the API sees it whole.

/** Records of a CSV text: [{text, first, last}] with 1-based physical line numbers. The header is
 *  records[0]. Blank lines are dropped but still counted, as a spreadsheet counts them. */
export function records(text) {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out = [];
  let start = 0;
  let line = 1;
  let firstLine = 1;
  let quoted = false;
  for (let i = 0; i <= src.length; i++) {
    const ch = src[i];
    if (ch === '"') quoted = !quoted;
    const end = i === src.length;
    if (end || (ch === "\n" && !quoted)) {
      let record = src.slice(start, i);
      if (record.endsWith("\r")) record = record.slice(0, -1);
      if (record.trim() !== "") out.push({ text: record, first: firstLine, last: line });
      start = i + 1;
      line += 1;
      firstLine = line;
    } else if (ch === "\n") {
      line += 1;
    }
  }
  return out;
}

/** The separator a header line uses: comma, semicolon or tab (outside quotes), the most used;
 *  a comma when tied or none. Excel saves semicolons where the comma is the decimal mark. */
export function separator(headerText) {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of headerText) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] += 1;
  }
  let best = ",";
  for (const ch of [";", "\t"]) if (counts[ch] > counts[best]) best = ch;
  return best;
}

/** The cells of one record. */
export function cells(recordText, sep = ",") {
  const out = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < recordText.length; i++) {
    const ch = recordText[i];
    if (quoted) {
      if (ch === '"' && recordText[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cell);
      cell = "";
    } else cell += ch;
  }
  out.push(cell);
  return out.map((c) => c.trim());
}

/**
 * Chunks of at most about `maxRows` records and `maxBytes` bytes, each {body, rows, lineOf}:
 * body is header + records; lineOf(n) turns a line number inside the chunk (what the API
 * reports as "row") into the line number in the original file.
 */
export function chunks(text, { groupColumn, maxRows = 500, maxBytes = 1_000_000 } = {}) {
  const all = records(text);
  if (!all.length) return { header: [], total: 0, chunks: [] };
  const [header, ...rows] = all;
  const sep = separator(header.text);
  const names = cells(header.text, sep);
  const headerLines = header.last - header.first + 1;
  const keyIndex = groupColumn ? names.findIndex((n) => groupColumn(n)) : -1;

  // Groups in order of first appearance; records keep their original line numbers.
  const groups = new Map();
  rows.forEach((r, i) => {
    const key = keyIndex >= 0 ? cells(r.text, sep)[keyIndex] || `\u0000row${i}` : `\u0000row${i}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  });

  const out = [];
  let current = [];
  let bytes = 0;
  const flush = () => {
    if (!current.length) return;
    const map = []; // chunk line → file line (index 0 unused)
    for (let l = 0; l < headerLines; l++) map[l + 1] = header.first + l;
    let line = headerLines + 1;
    for (const r of current) {
      for (let l = r.first; l <= r.last; l++) map[line++] = l;
    }
    const body = [header.text, ...current.map((r) => r.text)].join("\r\n") + "\r\n";
    out.push({ body, rows: current.length, lineOf: (n) => map[n] ?? n });
    current = [];
    bytes = 0;
  };
  for (const group of groups.values()) {
    const size = group.reduce((s, r) => s + r.text.length + 2, 0);
    if (current.length && (current.length + group.length > maxRows || bytes + size > maxBytes)) flush();
    current.push(...group);
    bytes += size;
  }
  flush();
  return { header: names, separator: sep, total: rows.length, chunks: out };
}
