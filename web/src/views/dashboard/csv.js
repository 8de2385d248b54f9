// CSV built from what a table shows, the way Excel in China opens it: UTF-8 with a byte-order
// mark (else the Chinese names come out garbled), CRLF line ends, quoted where needed.

/**
 * @template R
 * @typedef {object} CsvColumn
 * @property {string} title the header, in Chinese
 * @property {(row: R) => string | number | null | undefined} value raw, unformatted
 */

/**
 * One field. Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe: names come from data people type in.
 * @param {string | number | null | undefined} value
 */
export function csvField(value) {
  if (value == null || (typeof value === 'number' && !Number.isFinite(value))) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * @template R
 * @param {readonly CsvColumn<R>[]} columns
 * @param {readonly R[]} rows
 */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvField(c.title)), ...rows.map((r) => columns.map((c) => csvField(c.value(r))))];
  return `\ufeff${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}
