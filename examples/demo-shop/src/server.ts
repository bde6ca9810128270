import { createServer } from 'node:http';
import { placeOrder, type LineItem } from './orders';

const catalogue: Record<string, number> = { book: 12.5, lamp: 39, chair: 89, desk: 240 };

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/orders') {
    res.writeHead(404).end();
    return;
  }
  const sku = url.searchParams.get('sku') ?? 'book';
  const qty = Number(url.searchParams.get('qty') ?? '1');
  const items: LineItem[] = [{ sku, price: catalogue[sku] ?? 1, qty }];
  const order = placeOrder(url.searchParams.get('customer') ?? 'guest', items);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order));
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`demo-shop listening on ${typeof address === 'object' && address ? address.port : address}`);
});
