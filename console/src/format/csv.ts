/**
 * CSV files of the console's tables (RFC 4180): a header row, comma-separated, every field that
 * holds a comma, a quote or a line break quoted with its quotes doubled, CRLF line ends. Cells
 * that start like a spreadsheet formula (=, +, -, @) are prefixed with an apostrophe when they
 * are text, so a tier title cannot run as a formula in the merchant's spreadsheet.
 */

/** One cell: text, a number (written as is) or empty. */
export type CsvCell = string | number | null;

function field(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = /^[=+\-@]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV text of a header row and data rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** Offer `text` as a download named `filename` (an object URL clicked through a link). */
export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
