// A stand-in for Razorpay Checkout (https://checkout.razorpay.com/v1/checkout.js),
// served by Bazaar under --payment-fakes. It defines window.Razorpay with the
// real script's API (new Razorpay(options), open(), close(),
// on('payment.failed', fn)) and opens a small modal whose two buttons pay
// through the fake in the same server: POST <here>/checkout/{order_id}.
// No real payment is ever taken.
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/checkout\.js(\?.*)?$/, '') : '/_fake/razorpay/';

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency }).format(amount / 100);
    } catch (e) {
      return (amount / 100).toFixed(2) + ' ' + currency;
    }
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'style') Object.assign(e.style, attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    if (text) e.textContent = text;
    return e;
  }

  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    if (!options || !options.key) throw new Error('Razorpay (fake): options.key is required');
    if (!options.order_id) throw new Error('Razorpay (fake): options.order_id is required');
    this.options = options;
    this.listeners = {};
    this.root = null;
  }

  Razorpay.prototype.on = function (event, fn) {
    (this.listeners[event] = this.listeners[event] || []).push(fn);
  };

  Razorpay.prototype.emit = function (event, arg) {
    (this.listeners[event] || []).forEach(function (fn) {
      fn(arg);
    });
  };

  Razorpay.prototype.close = function () {
    if (this.root) this.root.remove();
    this.root = null;
  };

  Razorpay.prototype.dismiss = function () {
    this.close();
    var modal = this.options.modal || {};
    if (typeof modal.ondismiss === 'function') modal.ondismiss();
  };

  Razorpay.prototype.pay = function (outcome, status, buttons) {
    var self = this;
    var o = this.options;
    buttons.forEach(function (b) {
      b.disabled = true;
    });
    status.textContent = outcome === 'success' ? 'Paying…' : 'Declining…';
    fetch(base + 'checkout/' + encodeURIComponent(o.order_id), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ outcome: outcome }),
    })
      .then(function (res) {
        return res.json().then(function (body) {
          return { ok: res.ok, body: body };
        });
      })
      .then(function (r) {
        if (!r.ok) throw new Error((r.body.error && r.body.error.description) || 'the fake refused the payment');
        self.close();
        if (r.body.error) self.emit('payment.failed', { error: r.body.error });
        else if (typeof o.handler === 'function') o.handler(r.body);
      })
      .catch(function (e) {
        status.textContent = String(e.message || e);
        buttons.forEach(function (b) {
          b.disabled = false;
        });
      });
  };

  Razorpay.prototype.open = function () {
    var self = this;
    var o = this.options;
    this.close();
    var root = el('div', {
      'data-razorpay-fake': '',
      style: { position: 'fixed', inset: '0', background: 'rgba(15,23,42,.55)', display: 'flex', alignItems: 'center', justifyContent: 'center', zIndex: '2147483647', font: '15px system-ui, sans-serif' },
    });
    var box = el('div', {
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'rzp-fake-title',
      style: { background: '#fff', color: '#0f172a', borderRadius: '10px', width: '340px', maxWidth: '92vw', boxShadow: '0 20px 50px rgba(0,0,0,.3)', overflow: 'hidden' },
    });
    var head = el('div', { style: { background: '#0b2a66', color: '#fff', padding: '16px 20px', position: 'relative' } });
    head.appendChild(el('div', { id: 'rzp-fake-title', style: { fontWeight: '700', fontSize: '17px' } }, o.name || 'Razorpay'));
    head.appendChild(el('div', { style: { opacity: '.85', fontSize: '13px', marginTop: '2px' } }, 'Razorpay Checkout (test fake)'));
    var close = el('button', {
      type: 'button',
      'aria-label': 'Close',
      style: { position: 'absolute', right: '10px', top: '10px', background: 'none', border: '0', color: '#fff', fontSize: '22px', cursor: 'pointer', lineHeight: '1' },
    }, '×');
    close.addEventListener('click', function () {
      self.dismiss();
    });
    head.appendChild(close);
    box.appendChild(head);
    var body = el('div', { style: { padding: '18px 20px 20px' } });
    body.appendChild(el('div', { style: { fontSize: '26px', fontWeight: '700' } }, money(o.amount, o.currency || 'INR')));
    if (o.description) body.appendChild(el('div', { style: { color: '#475569', marginTop: '4px' } }, o.description));
    body.appendChild(el('div', { style: { color: '#64748b', fontSize: '12px', marginTop: '6px' } }, 'Razorpay order ' + o.order_id));
    body.appendChild(
      el('p', { style: { background: '#fef3c7', color: '#78350f', borderRadius: '6px', padding: '8px 10px', fontSize: '13px', margin: '14px 0' } },
        'This is a local fake of Razorpay: no money moves. Choose how the payment ends.'),
    );
    var status = el('p', { role: 'status', 'aria-live': 'polite', style: { minHeight: '1.2em', color: '#475569', fontSize: '13px', margin: '0 0 10px' } });
    var row = el('div', { style: { display: 'flex', gap: '10px' } });
    var pay = el('button', { type: 'button', style: { flex: '1', padding: '10px', border: '0', borderRadius: '6px', background: '#2563eb', color: '#fff', fontWeight: '600', cursor: 'pointer' } }, 'Pay (test)');
    var fail = el('button', { type: 'button', style: { flex: '1', padding: '10px', border: '1px solid #b91c1c', borderRadius: '6px', background: '#fff', color: '#b91c1c', fontWeight: '600', cursor: 'pointer' } }, 'Fail (test)');
    var buttons = [pay, fail];
    pay.addEventListener('click', function () {
      self.pay('success', status, buttons);
    });
    fail.addEventListener('click', function () {
      self.pay('failure', status, buttons);
    });
    row.appendChild(pay);
    row.appendChild(fail);
    body.appendChild(status);
    body.appendChild(row);
    box.appendChild(body);
    root.appendChild(box);
    root.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') self.dismiss();
    });
    document.body.appendChild(root);
    this.root = root;
    pay.focus();
  };

  window.Razorpay = Razorpay;
})();
