// herald.classic.js is for old browsers: it must parse as ES5 (no arrows, classes, let/const, template literals,
// async). Its behaviour is tested in a real browser by HeraldJsPageIT.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'acorn';

test('herald.classic.js is ES5', async () => {
  const source = await readFile(new URL('../herald.classic.js', import.meta.url), 'utf8');
  assert.doesNotThrow(() => parse(source, { ecmaVersion: 5, sourceType: 'script' }));
});

test('herald.js and herald-sign.js are the modules package.json exports', async () => {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(pkg.type, 'module');
  const main = await import(new URL(`../${pkg.exports['.'].default}`, import.meta.url));
  assert.deepEqual(Object.keys(main).sort(), ['HeraldError', 'publish', 'subscribe']);
  for (const file of pkg.files) await readFile(new URL(`../${file}`, import.meta.url));
});
