/** Formats rows as an aligned text table: numeric-looking columns right-aligned, text left. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) =>
    rows.every((r) => /^[-+]?[\d,.]+(%|x| ± [\d.]+)?$|^-$/.test(String(r[i] ?? ''))),
  );
  const lines: string[] = [];
  for (const [k, row] of cells.entries()) {
    lines.push(
      row
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
    if (k === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  return lines.join('\n');
}

/** Mean and 95% normal-approximation half-width of `values`. */
export function meanCI(values: number[]): { mean: number; halfWidth: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, halfWidth: 1.96 * Math.sqrt(variance / n) };
}
