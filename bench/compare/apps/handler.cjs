'use strict';
// The request handler of http-service.cjs, in a file of its own: the HTTP probe goes on PROBE LINE.
let seq = 0;

function handleOrder(req, res) {
  const order = {
    id: ++seq,
    customer: { name: 'Ada', tier: 'gold' },
    items: [
      { sku: 'a-1', price: 12.5, qty: 2 },
      { sku: 'b-2', price: 3.25, qty: 4 },
    ],
  };
  let total = 0;
  for (const item of order.items) total += item.price * item.qty;
  const body = JSON.stringify({ id: order.id, total }); // PROBE LINE
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

module.exports = { handleOrder };
