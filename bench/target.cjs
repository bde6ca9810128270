'use strict';
// The function every per-hit benchmark calls; line 6 is the probed line.
function handle(order, qty) {
  const base = order.price * qty;
  const tax = base * 0.2;
  const total = base + tax;
  return total;
}
module.exports = { handle };
