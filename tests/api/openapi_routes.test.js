'use strict';
// The OpenAPI document and the route table agree: every route the server answers is
// documented with its method, and every documented operation is a route.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { repoRoot } = require('./lib/server');

test('every route is documented in docs/openapi.json and nothing else is', () => {
  const router = fs.readFileSync(path.join(repoRoot, 'src/http/router.c'), 'utf8');
  const routes = [...router.matchAll(/\{\s*"([A-Z]+)",\s*"(\/[^"]*)",\s*api_\w+/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.ok(routes.length > 40, `parsed ${routes.length} routes`);
  const doc = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs/openapi.json'), 'utf8'));
  const documented = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of Object.keys(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(m)) documented.push(`${m.toUpperCase()} ${p}`);
    }
  }
  const missing = routes.filter((r) => !documented.includes(r));
  const extra = documented.filter((d) => !routes.includes(d));
  assert.deepEqual(missing, [], 'routes without documentation');
  assert.deepEqual(extra, [], 'documented operations the server does not have');
});
