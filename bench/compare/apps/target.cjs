'use strict';
// The probed function, in a file of its own so that both agents find it by the same path suffix.
// The line ending in "PROBE LINE" is where every per-hit probe goes: `order`, `i` and `total` are in scope.
function priceOrder(order, i) {
  let total = 0;
  for (const item of order.items) total += item.price * item.qty;
  const discounted = total * (1 - order.discount); // PROBE LINE
  return discounted + (i & 1);
}

module.exports = { priceOrder };
