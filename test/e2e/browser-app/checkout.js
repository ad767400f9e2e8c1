// A tiny "web shop" page script for the e2e tests: the real @sentry/browser, loaded as ES modules
// from node_modules through an import map, reports one error to the Snag DSN in the page's
// <meta name="snag-dsn">. Snag runs on another port, so the report is a real cross-origin request.
// It writes what the SDK returned onto <body> for the test to read.
/* global document */
import * as Sentry from '@sentry/browser';

const dsn = document.querySelector('meta[name="snag-dsn"]').content;
Sentry.init({ dsn, release: 'web@1.0.0', environment: 'production' });
Sentry.setUser({ id: 'shopper-7' });
Sentry.setTag('page', 'checkout');
Sentry.addBreadcrumb({ category: 'ui.click', message: 'Clicked "Apply coupon"', level: 'info' });

function applyCoupon(cart) {
  // The bug: a cart without a coupon.
  return cart.coupon.code.toUpperCase();
}

function onApplyCouponClick() {
  try {
    return applyCoupon({ items: 2 });
  } catch (err) {
    return Sentry.captureException(err);
  }
}

const eventId = onApplyCouponClick();
const flushed = await Sentry.flush(5000);
document.body.dataset.eventId = eventId;
document.body.dataset.flushed = String(flushed);
