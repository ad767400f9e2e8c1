/**
 * The endpoints of the synthetic shop API that the transaction corpus is drawn from: 40 routes,
 * most popular first (picked with a Zipf skew, so the top few get most traffic, as in production),
 * each with a shape (which spans its handler makes), a median duration and how often it runs an
 * N+1 loop. Durations are log-normal around the median.
 */

/** [method, route, shape, median ms, share of requests with an N+1 loop] */
export const ROUTES = [
  ['GET', '/api/products', 'list', 45, 0.6],
  ['GET', '/api/products/:id', 'read', 25, 0],
  ['GET', '/api/cart', 'read', 20, 0],
  ['POST', '/api/cart/items', 'write', 35, 0],
  ['GET', '/', 'page', 80, 0.3],
  ['GET', '/api/orders', 'list', 60, 0.5],
  ['GET', '/api/search', 'search', 90, 0],
  ['GET', '/products/:slug', 'page', 70, 0.2],
  ['GET', '/api/orders/:id', 'read', 30, 0.15],
  ['GET', '/api/users/me', 'read', 15, 0],
  ['POST', '/api/orders', 'checkout', 180, 0],
  ['GET', '/api/categories', 'list', 25, 0.4],
  ['GET', '/api/categories/:id/products', 'list', 55, 0.7],
  ['PUT', '/api/cart/items/:id', 'write', 30, 0],
  ['POST', '/api/auth/login', 'write', 160, 0],
  ['GET', '/api/recommendations', 'search', 140, 0],
  ['DELETE', '/api/cart/items/:id', 'write', 25, 0],
  ['GET', '/api/inventory/:sku', 'read', 20, 0],
  ['POST', '/api/checkout', 'checkout', 320, 0],
  ['GET', '/account/orders', 'page', 110, 0.6],
  ['GET', '/api/reviews', 'list', 50, 0.5],
  ['POST', '/api/webhooks/stripe', 'webhook', 60, 0],
  ['GET', '/api/wishlist', 'list', 35, 0.4],
  ['GET', '/api/shipping/rates', 'search', 300, 0],
  ['POST', '/api/reviews', 'write', 45, 0],
  ['GET', '/api/coupons/:code', 'read', 18, 0],
  ['GET', '/api/users/:id/addresses', 'list', 25, 0.3],
  ['POST', '/api/payments/intent', 'checkout', 400, 0],
  ['GET', '/api/notifications', 'list', 40, 0.5],
  ['POST', '/api/wishlist', 'write', 25, 0],
  ['GET', '/api/stores', 'list', 30, 0.2],
  ['GET', '/api/orders/:id/invoice', 'page', 200, 0],
  ['POST', '/api/users/:id/addresses', 'write', 35, 0],
  ['GET', '/api/admin/orders', 'list', 150, 0.8],
  ['PATCH', '/api/admin/products/:id', 'write', 60, 0],
  ['POST', '/api/newsletter', 'write', 40, 0],
  ['GET', '/sitemap.xml', 'page', 350, 0.9],
  ['POST', '/api/exports', 'write', 80, 0],
  ['GET', '/api/admin/reports/sales', 'report', 900, 0],
  ['GET', '/healthz', 'health', 2, 0],
].map(([method, route, shape, medianMs, nPlusOneShare]) => ({
  method,
  route,
  name: `${method} ${route}`,
  shape,
  medianMs,
  nPlusOneShare,
}));

/** Zipf exponent of route popularity: with 40 routes the top 5 get ~53 % of requests. */
const ZIPF_EXPONENT = 1;
const WEIGHTS = ROUTES.map((_, i) => 1 / (i + 1) ** ZIPF_EXPONENT);
const TOTAL_WEIGHT = WEIGHTS.reduce((a, b) => a + b, 0);

export function pickRoute(random) {
  let x = random.next() * TOTAL_WEIGHT;
  for (let i = 0; i < ROUTES.length; i++) {
    x -= WEIGHTS[i];
    if (x < 0) return ROUTES[i];
  }
  return ROUTES.at(-1);
}

/** Standard normal (Box–Muller) from the seeded generator. */
export function normal(random) {
  const u = Math.max(random.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/** Log-normal around `median` (sigma in natural-log units). */
export function logNormal(random, median, sigma) {
  return median * Math.exp(sigma * normal(random));
}

export const ENVIRONMENTS = [
  ['production', 0.8],
  ['staging', 0.2],
];
export const RELEASES = ['shop-api@2026.11.18', 'shop-api@2026.11.20', 'shop-api@2026.11.21'];

/** HTTP outcome: [status code, Sentry span status, share]. 4xx are client faults, 5xx errors. */
export const OUTCOMES = [
  [200, 'ok', 0.94],
  [201, 'ok', 0.02],
  [404, 'not_found', 0.015],
  [400, 'invalid_argument', 0.01],
  [401, 'unauthenticated', 0.005],
  [500, 'internal_error', 0.008],
  [503, 'unavailable', 0.002],
];

export function pickWeighted(random, list) {
  let x = random.next();
  for (const entry of list) {
    x -= entry.at(-1);
    if (x < 0) return entry;
  }
  return list[0];
}
