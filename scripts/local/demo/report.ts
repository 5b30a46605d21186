/**
 * The demo report: the objects a customer would keep in its own bucket and a
 * vendor's report page shows. The keys are all the vendor knows; the bytes
 * live only in the bucket (seed.ts puts them there as the customer's setup).
 */
export interface DemoObject {
  key: string;
  /** How the page renders it: summary figures, a CSV table, an image, plain text. */
  kind: 'table' | 'csv' | 'image' | 'text';
  contentType: string;
  body: string;
}

export const DEMO_REPORT_ID = 'demo-q4';
export const DEMO_REPORT_TITLE = 'Q4 revenue by region (demo)';
export const DEMO_PREFIX = `reports/${DEMO_REPORT_ID}/`;
export const DEMO_ATTACHMENTS_PREFIX = `${DEMO_PREFIX}attachments/`;
/** The vendor-side principal every demo grant names (recorded in the customer's audit log). */
export const DEMO_USER = 'demo.user@vendor.example';

const rows = [
  { region: 'North', revenue: 182400, change: 0.042 },
  { region: 'South', revenue: 129950, change: -0.013 },
  { region: 'East', revenue: 97310, change: 0.118 },
  { region: 'West', revenue: 154020, change: 0.027 },
];

function chart(): string {
  const max = Math.max(...rows.map((r) => r.revenue));
  const bars = rows
    .map((r, i) => {
      const h = Math.round((r.revenue / max) * 150);
      const x = 30 + i * 90;
      return (
        `<rect x="${x}" y="${180 - h}" width="60" height="${h}" fill="#3b6ea5"/>` +
        `<text x="${x + 30}" y="198" font-size="12" text-anchor="middle">${r.region}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="210" viewBox="0 0 400 210">` +
    `<rect width="400" height="210" fill="#fafafa"/>${bars}</svg>\n`
  );
}

/** The quarter by month; each region's months add up to its row above. */
function monthlyCsv(): string {
  return (
    'Month,North,South,East,West\n' +
    'October,60100,44200,29800,50900\n' +
    'November,59800,42750,32410,51320\n' +
    'December,62500,43000,35100,51800\n'
  );
}

export const DEMO_OBJECTS: readonly DemoObject[] = [
  {
    key: `${DEMO_PREFIX}summary.json`,
    kind: 'table',
    contentType: 'application/json',
    body: JSON.stringify({ title: DEMO_REPORT_TITLE, currency: 'EUR', rows }, null, 2) + '\n',
  },
  { key: `${DEMO_PREFIX}chart.svg`, kind: 'image', contentType: 'image/svg+xml', body: chart() },
  { key: `${DEMO_PREFIX}monthly.csv`, kind: 'csv', contentType: 'text/csv; charset=utf-8', body: monthlyCsv() },
  {
    key: `${DEMO_PREFIX}notes.txt`,
    kind: 'text',
    contentType: 'text/plain; charset=utf-8',
    body:
      'Figures are unaudited. East grew fastest after the October launch;\n' +
      'South is flat once the one-off September order is excluded.\n',
  },
];

/** Seeded so the attachment list is not empty on a first run; the space exercises key encoding. */
export const DEMO_ATTACHMENTS: readonly DemoObject[] = [
  {
    key: `${DEMO_ATTACHMENTS_PREFIX}read me.txt`,
    kind: 'text',
    contentType: 'text/plain; charset=utf-8',
    body: 'Attachments of the demo report. Upload one from the report page.\n',
  },
];
