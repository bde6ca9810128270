'use strict';
// A small node:http service. Its first line of output is {"listening":<port>} (start-up time is
// measured to it). GET /order runs the probed handler; GET /stats reports this process's memory.
const http = require('node:http');
const { handleOrder } = require('./handler.cjs');

const server = http.createServer((req, res) => {
  if (req.url === '/order') return handleOrder(req, res);
  if (req.url === '/stats') {
    const { rss, heapUsed } = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ rss, heapUsed }));
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
