// Signs requests with herald-sign.js for SignatureRoundTripTest. The module's absolute path is the first
// argument. Reads a JSON array of requests from stdin; writes a JSON array to stdout, one result per request:
// the headers sign() returns, its canonical request, and the target and Host that fetch would send; or the
// error sign() threw.
import { pathToFileURL } from 'node:url';

const { sign, canonicalRequest } = await import(pathToFileURL(process.argv[2]).href);

process.stdin.setEncoding('utf8');
let input = '';
for await (const chunk of process.stdin) input += chunk;

const results = [];
for (const r of JSON.parse(input)) {
  const request = { method: r.method, url: r.url, headers: r.headers, body: r.body, date: new Date(r.date) };
  try {
    const headers = await sign({ ...request, appKey: r.appKey, appSecret: r.appSecret });
    const url = new URL(r.url);
    results.push({
      id: r.id,
      headers,
      canonicalRequest: await canonicalRequest(request),
      target: url.pathname + url.search,
      host: url.host,
    });
  } catch (e) {
    results.push({ id: r.id, error: `${e.name}: ${e.message}` });
  }
}
process.stdout.write(JSON.stringify(results));
