/**
 * ISO 8601 UTC parsing and formatting without the Date object: libs/core never touches the clock, and a hand-rolled
 * parser of the fixed wire format is also several times faster than Date.parse on the detector's hot path.
 */

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Parses `YYYY-MM-DDTHH:mm:ss[.fraction]Z` to epoch milliseconds (fraction truncated to ms); NaN if malformed. */
export function parseIsoMs(s: string): number {
  if (s.length < 20 || s.charCodeAt(s.length - 1) !== 90 /* Z */) return Number.NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const se = digits(s, 17, 2);
  let ms = 0;
  if (s.length > 20) {
    if (s.charCodeAt(19) !== 46 /* . */) return Number.NaN;
    const fracLen = s.length - 21;
    if (fracLen < 1) return Number.NaN;
    const frac = digits(s, 20, Math.min(fracLen, 3));
    ms = fracLen >= 3 ? frac : frac * (fracLen === 1 ? 100 : 10);
    if (fracLen > 3 && Number.isNaN(digits(s, 23, fracLen - 3))) return Number.NaN;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return Number.NaN;
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + se * 1000 + ms;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats epoch milliseconds as `YYYY-MM-DDTHH:mm:ss.sssZ` (the shape every Vigil timestamp has). */
export function formatIsoMs(epochMs: number): string {
  const ms = ((epochMs % 1000) + 1000) % 1000;
  let secs = (epochMs - ms) / 1000;
  const sec = ((secs % 60) + 60) % 60;
  secs = (secs - sec) / 60;
  const min = ((secs % 60) + 60) % 60;
  secs = (secs - min) / 60;
  const hour = ((secs % 24) + 24) % 24;
  const z = (secs - hour) / 24 + 719468;
  // civil_from_days (Howard Hinnant)
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(min, 2)}:${pad(sec, 2)}.${pad(ms, 3)}Z`;
}
