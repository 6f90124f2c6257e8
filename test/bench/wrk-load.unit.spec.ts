import { describe, expect, it } from 'vitest';
import { parseWrkReport } from '../../bench/wrk-load.ts';

// As wrk 4.1 prints it with --latency (this machine's Debian package).
const REPORT = `Running 8s test @ http://127.0.0.1:7700/v1/heartbeats
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.95ms    1.96ms  21.94ms   89.16%
    Req/Sec     5.82k   412.33     6.41k    80.00%
  Latency Distribution
     50%    2.50ms
     75%    3.20ms
     90%    4.10ms
     99%   10.50ms
  46346 requests in 8.00s, 7.47MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:   5790.22
Transfer/sec:      0.93MB
`;

describe('parseWrkReport', () => {
  it('reads the rate, the p99 and the failures, and counts beats per request', () => {
    expect(parseWrkReport(REPORT, 100)).toEqual({ requestsPerSec: 5790.22, beatsPerSec: 579_022, p99Ms: 10.5, failed: 15 });
  });

  it('converts p99 given in µs or s, and counts nothing failed when wrk reports no failures', () => {
    const fast = REPORT.replace('99%   10.50ms', '99%  850.00us').replace(/ {2}Socket errors.*\n/, '').replace(/ {2}Non-2xx.*\n/, '');
    expect(parseWrkReport(fast, 1)).toMatchObject({ p99Ms: 0.85, failed: 0 });
    expect(parseWrkReport(REPORT.replace('99%   10.50ms', '99%    1.20s'), 1).p99Ms).toBe(1200);
  });

  it('fails loudly on a report without a rate (a wrk whose output changed)', () => {
    expect(() => parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused', 1)).toThrow(/Requests\/sec/);
  });
});
