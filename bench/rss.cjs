'use strict';
// Loads rxjs (a large TypeScript package with source maps), lets the process settle, prints RSS.
const path = require('node:path');
const appDir = process.argv[2];
const rx = require(path.join(appDir, 'rxjs/dist/cjs/index.js'));
require(path.join(appDir, 'rxjs/dist/cjs/operators/index.js'));
rx.of(1, 2, 3).subscribe(() => {});
setTimeout(() => {
  if (global.gc) global.gc();
  console.log(JSON.stringify({ rss: process.memoryUsage().rss }));
}, 300);
