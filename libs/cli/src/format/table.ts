/** Paints one padded cell (colour), given its column and the raw row; the padding is measured before painting. */
export type CellPainter = (column: number, padded: string, row: readonly string[]) => string;

/**
 * Lays rows out in aligned columns, two spaces apart, with a header; the last column is not padded. `paint` colours
 * cells after the widths are measured, so escape codes never skew the alignment.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], paint?: CellPainter): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], painter?: CellPainter): string => {
    const last = cells.length - 1;
    const padded = cells.map((c, i) => (i === last ? c : c.padEnd(widths[i] ?? 0)));
    // Trailing blanks go before painting, so a painted line ends in its escape code, not in spaces.
    let end = last;
    while (end > 0 && (padded[end] ?? '').trim() === '') end--;
    const kept = padded.slice(0, end + 1);
    if (kept.length > 0) kept[kept.length - 1] = (kept[kept.length - 1] ?? '').trimEnd();
    return kept.map((c, i) => (painter === undefined ? c : painter(i, c, cells))).join('  ');
  };
  return [line(headers), ...rows.map((r) => line(r, paint))].join('\n') + '\n';
}

/** Lays `label  value` pairs out with the values aligned (details views). */
export function formatPairs(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n') + '\n';
}
