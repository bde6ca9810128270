export interface LineItem {
  sku: string;
  price: number;
  qty: number;
}

export interface Order {
  id: number;
  customer: string;
  items: LineItem[];
  total: number;
}

let nextId = 1;

export function placeOrder(customer: string, items: LineItem[]): Order {
  const subtotal = items.reduce((sum, item) => sum + item.price * item.qty, 0);
  const discount = subtotal > 100 ? 0.1 : 0;
  const order: Order = { id: nextId++, customer, items, total: subtotal * (1 - discount) };
  return order;
}
