'use strict';
/* The console's shell: the operator's key, calls to the public API, the router, live refresh and small DOM helpers.
   Every value from the API reaches the page as text (textContent), never as markup. */
const App = (() => {
  const apiBase = location.pathname.replace(/\/console\/?$/, '');
  const keyName = 'serverless-console-key';
  const pages = {};
  let key = sessionStorage.getItem(keyName) || '';
  let timers = [];
  let generation = 0;

  class ApiError extends Error {
    constructor(status, message, code) { super(message); this.status = status; this.code = code; }
  }

  async function call(method, path, body, headers) {
    const init = { method, headers: { Accept: 'application/json', ...(headers || {}) }, cache: 'no-store' };
    if (key) init.headers['x-functions-key'] = key;
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    const response = await fetch(`${apiBase}/${path}`, init);
    if (response.status === 401 || response.status === 403) {
      throw new ApiError(response.status, 'This credential opens nothing here: the console needs the operator (master) key.', 'unauthorized');
    }
    const text = await response.text();
    let json = null;
    if (text && (response.headers.get('Content-Type') || '').includes('json')) json = JSON.parse(text);
    if (!response.ok) throw new ApiError(response.status, (json && json.error) || `${method} ${path}: HTTP ${response.status}`, json && json.code);
    return { json, text, response };
  }

  const get = async path => (await call('GET', path)).json;

  /** An element: h('td', {class: 'num'}, 'text', child, ...). Strings become text nodes; null and false are skipped. */
  function h(tag, attrs, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (name === 'text') element.textContent = value;
      else element.setAttribute(name, value === true ? '' : value);
    }
    append(element, children);
    return element;
  }

  function append(parent, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return parent;
  }

  /** A table from columns [{label, value: row => text|node|[text|node], num}] and rows; the rows are built in one fragment. */
  function table(caption, columns, rows, attrs) {
    const body = document.createElement('tbody');
    const fragment = document.createDocumentFragment();
    for (const row of rows) {
      const tr = document.createElement('tr');
      for (const column of columns) {
        const td = document.createElement('td');
        if (column.num) td.className = 'num';
        const value = column.value(row);
        if (value instanceof Node || Array.isArray(value)) append(td, [value]); else if (value !== null && value !== undefined) td.textContent = String(value);
        tr.append(td);
      }
      fragment.append(tr);
    }
    body.append(fragment);
    return h('table', attrs, caption ? h('caption', null, caption) : null,
      h('thead', null, h('tr', null, columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))), body);
  }

  const number = (value, digits = 4) => value === null || value === undefined ? '–' : Number(value).toLocaleString('en', { maximumFractionDigits: digits });
  const percent = (value, digits = 2) => value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)} %`;
  const time = value => value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '–';
  const state = value => h('span', { class: `state-${value}` }, value);
  const link = (href, text) => h('a', { href }, text);
  const segment = value => encodeURIComponent(value);

  function notice(text) { document.getElementById('notice').textContent = text || ''; }

  function alert(text) {
    const box = document.getElementById('alert');
    box.textContent = text || '';
    box.hidden = !text;
  }

  /** Runs an operator's action: its outcome is announced, its failure shown; the page is drawn again after it. */
  async function act(label, action, after) {
    alert('');
    notice(`${label}…`);
    try {
      const result = await action();
      notice(`${label}: done.`);
      if (after) await after(result); else await route();
      return result;
    } catch (error) {
      notice('');
      alert(`${label} failed: ${error.message}`);
      return undefined;
    }
  }

  /** Calls fn every ms milliseconds until the page changes; fn returns false to stop. */
  function every(ms, fn) {
    const mine = generation;
    const tick = async () => {
      if (mine !== generation) return;
      let again = true;
      try { again = (await fn()) !== false; } catch (error) { alert(error.message); }
      if (again && mine === generation) timers.push(setTimeout(tick, ms));
    };
    timers.push(setTimeout(tick, ms));
  }

  /** Whether the page a render began on is still the one shown. */
  const current = mine => mine === generation;

  async function route() {
    timers.forEach(clearTimeout);
    timers = [];
    const mine = ++generation;
    const parts = (location.hash.replace(/^#\/?/, '') || 'models').split('/').map(decodeURIComponent);
    const name = pages[parts[0]] ? parts[0] : 'models';
    for (const a of document.querySelectorAll('nav a')) {
      if (a.dataset.page === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    const main = document.getElementById('main');
    main.setAttribute('aria-busy', 'true');
    alert('');
    const started = performance.now();
    try {
      const content = await pages[name](parts.slice(1), mine);
      if (!current(mine)) return;
      main.replaceChildren(content);
      main.dataset.page = name;
      main.dataset.renderMs = (performance.now() - started).toFixed(1);
      const heading = main.querySelector('h1');
      document.title = `${heading ? heading.textContent : name} · Serverless ML console`;
    } catch (error) {
      if (!current(mine)) return;
      main.replaceChildren(h('h1', null, 'Nothing to show'), h('p', { class: 'muted' }, error.message));
      alert(error.message);
    } finally {
      if (current(mine)) main.setAttribute('aria-busy', 'false');
    }
  }

  function start() {
    const input = document.getElementById('key');
    input.value = key;
    document.getElementById('credential').addEventListener('submit', event => {
      event.preventDefault();
      key = input.value.trim();
      if (key) sessionStorage.setItem(keyName, key); else sessionStorage.removeItem(keyName);
      notice(key ? 'Key in use.' : 'No key in use.');
      route();
    });
    document.getElementById('forget').addEventListener('click', () => {
      key = '';
      input.value = '';
      sessionStorage.removeItem(keyName);
      notice('Key forgotten.');
      route();
    });
    window.addEventListener('hashchange', () => { route(); document.getElementById('main').focus(); });
    route();
  }

  document.addEventListener('DOMContentLoaded', start);
  return { pages, call, get, h, append, table, number, percent, time, state, link, segment, notice, alert, act, every, current, route, ApiError };
})();
