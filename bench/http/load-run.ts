// One autocannon run in this process against the service: autocannon's own result, plus every
// response's latency and per-second counts so that several runs of one kind can be pooled.
import autocannon from 'autocannon';
import { stats } from '../section.ts';

export interface LoadRunOptions {
  url: string;
  /** Concurrent keep-alive connections. Range 1-100; default 10. */
  connections: number;
  /** Seconds. */
  duration: number;
  /** What each connection sends, in order, over and over. */
  requests: autocannon.Request[];
  /** Per-request timeout, seconds. Default 10. */
  timeout?: number;
}

export interface LoadRun {
  /** Requests per second, one sample per whole second of the run (autocannon's `requests` histogram). */
  perSecond: number[];
  /** Response time of every response, ms (2xx and others alike). */
  latenciesMs: number[];
  /** autocannon's figures for the run. */
  result: RunFigures;
}

export interface RunFigures {
  duration: number;
  /** Median and mean of autocannon's per-second samples. */
  reqPerSecMedian: number;
  reqPerSecAverage: number;
  /** Over every response's time as autocannon measured it, ms (its own histogram keeps whole milliseconds only). */
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  /** Per status code, e.g. { "200": 1234 }. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

export async function loadRun(options: LoadRunOptions): Promise<LoadRun> {
  const latenciesMs: number[] = [];
  const buckets: number[] = [];
  let started = performance.now();
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        timeout: options.timeout ?? 10,
        requests: options.requests,
      },
      (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)),
    );
  });
  instance.on('start', () => {
    started = performance.now();
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latenciesMs.push(responseTime);
    const second = Math.floor((performance.now() - started) / 1000);
    buckets[second] = (buckets[second] ?? 0) + 1;
  });
  const result = await done;
  // Whole seconds only: the last one is cut short by the end of the run.
  const whole = Math.floor(result.duration);
  const perSecond = Array.from({ length: Math.min(whole, buckets.length) }, (_, i) => buckets[i] ?? 0);
  const latency = stats(latenciesMs);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    perSecond,
    latenciesMs,
    result: {
      duration: result.duration,
      reqPerSecMedian: result.requests.p50,
      reqPerSecAverage: result.requests.average,
      latencyP50: latency.median,
      latencyP99: latency.p99,
      latencyMax: latency.max,
      total: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      statusCodes,
      errors: result.errors,
      timeouts: result.timeouts,
    },
  };
}
