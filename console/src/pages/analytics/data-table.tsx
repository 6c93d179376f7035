/** The numbers of a chart as a table (caption, column headers, row headers): what screen readers read. */
import { ScrollRegion } from '../../components/scroll-region';
import type { CsvCell } from '../../format/csv';

export function DataTable({
  id,
  caption,
  header,
  rows,
}: {
  id: string;
  caption: string;
  header: readonly string[];
  /** Rows; the first cell of each is its row header. */
  rows: readonly (readonly CsvCell[])[];
}) {
  return (
    <ScrollRegion label={`${caption} (table)`}>
      <table id={id} className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {header.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
            <tr key={i}>
              {r.map((c, j) =>
                j === 0 ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a cell is its column
                  <th key={j} scope="row">
                    {c ?? ''}
                  </th>
                ) : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a cell is its column
                  <td key={j}>{typeof c === 'number' ? c.toLocaleString() : (c ?? '')}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
