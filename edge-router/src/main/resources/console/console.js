// The Concierge mesh console: polls /console/api/state and renders it with DOM nodes and text
// only (never markup built from strings): names, paths and error texts in the state come from gateways and
// clients and are treated as untrusted text.
'use strict';

(function () {
  const POLL_MS = 1500;
  const DASH = '\u2014';
  let token = '';

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v !== null && v !== undefined) {
          node.setAttribute(k, String(v));
        }
      }
    }
    for (const c of children) {
      if (c === null || c === undefined) {
        continue;
      }
      node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function text(v) {
    return v === null || v === undefined || v === '' ? DASH : String(v);
  }

  function badge(state) {
    const s = text(state);
    return el('span', {class: 'badge ' + s.replace(/[^A-Za-z_]/g, '')}, s);
  }

  function rate(v) {
    return v === null || v === undefined ? DASH : Number(v).toFixed(2) + '/s';
  }

  function percent(v) {
    return v === null || v === undefined ? DASH : (Number(v) * 100).toFixed(1) + ' %';
  }

  function millis(v) {
    return v === null || v === undefined ? DASH : Number(v).toFixed(1) + ' ms';
  }

  function uptime(seconds) {
    if (seconds === null || seconds === undefined) {
      return DASH;
    }
    const s = Math.floor(Number(seconds));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) {
      return d + 'd ' + h + 'h';
    }
    if (h > 0) {
      return h + 'h ' + String(m).padStart(2, '0') + 'm';
    }
    return m + 'm ' + String(s % 60).padStart(2, '0') + 's';
  }

  function hash(v) {
    return v ? String(v).slice(0, 12) : DASH;
  }

  function lastReload(r) {
    if (!r) {
      return DASH;
    }
    return text(r.result) + (r.at ? ' ' + r.at : '') + (r.error ? ': ' + r.error : '');
  }

  function table(headers, rows, emptyText) {
    if (!rows.length) {
      return el('p', {class: 'empty'}, emptyText);
    }
    return el('table', null,
      el('thead', null, el('tr', null, ...headers.map(h => el('th', null, h)))),
      el('tbody', null, ...rows));
  }

  function kv(label, value, attrs) {
    return el('span', Object.assign({class: 'kv'}, attrs || {}), label + ' ', el('b', null, value));
  }

  function instanceRows(domain) {
    return domain.instances.map(i => el('tr', {'data-instance': i.id, 'data-status': i.status},
      el('td', {class: 'mono'}, i.id),
      el('td', {class: 'mono'}, i.address),
      el('td', {class: 'status'}, badge(i.status)),
      el('td', null, text(i.version)),
      el('td', {class: 'mono', 'data-field': 'config'}, hash(i.configSha256),
        i.generation ? ' #' + i.generation : ''),
      el('td', {class: 'wrap', 'data-field': 'lastReload'}, lastReload(i.lastReload)),
      el('td', null, uptime(i.uptimeSeconds)),
      el('td', null, rate(i.requestRate)),
      el('td', null, percent(i.errorRate)),
      el('td', null, millis(i.p99Ms)),
      el('td', {class: 'wrap'}, text(i.reason)),
      el('td', null, i.status === 'UP'
        ? el('button', {type: 'button', 'data-action': 'reload', 'data-target': i.id}, 'Reload')
        : '')));
  }

  function breakerRows(domain) {
    const rows = [];
    for (const i of domain.instances) {
      for (const b of (i.breakers || [])) {
        rows.push(el('tr', {'data-breaker': b.service + ' ' + b.address},
          el('td', {class: 'mono'}, i.id), el('td', null, b.service), el('td', {class: 'mono'}, b.address),
          el('td', null, badge(b.breaker)), el('td', null, b.ejected ? badge('ejected') : 'no'),
          el('td', null, b.healthy ? 'yes' : 'no')));
      }
    }
    const edge = domain.edgeFailover;
    if (edge && edge.instances) {
      for (const u of edge.instances) {
        rows.push(el('tr', {'data-breaker': 'edge ' + u.address},
          el('td', null, 'edge'), el('td', null, 'dispatch'), el('td', {class: 'mono'}, u.address),
          el('td', null, badge(u.breaker)), el('td', null, u.ejected ? badge('ejected') : 'no'),
          el('td', null, u.healthy ? 'yes' : 'no')));
      }
    }
    return rows;
  }

  function limitRows(limits, owner) {
    return limits.map(l => el('tr', {'data-limit': l.name},
      el('td', null, owner), el('td', null, text(l.name)), el('td', null, text(l.scope)),
      el('td', null, l.limit === null || l.limit === undefined ? DASH : l.limit + ' / ' + text(l.window)),
      el('td', null, text(l.mode)), el('td', null, text(l.allowed)), el('td', null, text(l.rejected)),
      el('td', null, text(l.trackedKeys))));
  }

  function errorRows(errors) {
    return errors.map(e => el('tr', {'data-request-id': e.requestId},
      el('td', {class: 'mono'}, text(e.at)), el('td', {class: 'mono'}, text(e.instance)),
      el('td', null, text(e.status)), el('td', null, text(e.method)), el('td', {class: 'mono wrap'}, text(e.path)),
      el('td', {class: 'mono'}, text(e.requestId))));
  }

  function renderDomain(d) {
    const limitsByName = [];
    for (const i of d.instances) {
      limitsByName.push(...limitRows(i.limits || [], i.id));
    }
    return el('section', {class: 'domain', 'data-domain': d.name, 'data-status': d.status},
      el('div', {class: 'domain-head'},
        el('h3', null, d.name), badge(d.status),
        kv('prefixes', d.prefixes.length ? d.prefixes.join(', ') : DASH, {'data-field': 'prefixes'}),
        kv('requests', rate(d.requestRate), {'data-field': 'requestRate'}),
        kv('errors', percent(d.errorRate), {'data-field': 'errorRate'}),
        kv('p99', millis(d.p99Ms), {'data-field': 'p99'}),
        kv('cache hits', d.cacheHitRatio === null || d.cacheHitRatio === undefined ? DASH : percent(d.cacheHitRatio),
          {'data-field': 'cacheHitRatio'})),
      table(['instance', 'address', 'status', 'version', 'config', 'last reload', 'uptime', 'req/s', 'errors', 'p99',
        'reason', ''],
        instanceRows(d), 'no instances'),
      table(['instance', 'service', 'address', 'breaker', 'ejected', 'healthy'], breakerRows(d), 'no breakers'),
      table(['instance', 'limit', 'scope', 'quota', 'mode', 'allowed', 'rejected', 'keys'], limitsByName,
        'no rate limits'),
      table(['at', 'instance', 'status', 'method', 'path', 'request id'], errorRows(d.errors || []),
        'no recent errors'));
  }

  function renderEdge(edge) {
    if (!edge) {
      return [];
    }
    const c = edge.config || {};
    const errors = (edge.errors || []).map(e => Object.assign({instance: 'edge'}, e));
    return [
      el('p', null, kv('config', text(c.file)), ' ', kv('sha256', hash(c.sha256))),
      table(['owner', 'limit', 'scope', 'quota', 'mode', 'allowed', 'rejected', 'keys'],
        limitRows((edge.limiters && edge.limiters.limits) || [], 'edge'), 'no edge rate limits'),
      table(['at', 'instance', 'status', 'method', 'path', 'request id'], errorRows(errors), 'no recent edge errors')
    ];
  }

  function render(state) {
    const disc = state.discovery || {};
    // Nested counters (ignoredEntries: {malformed: 0, ...}) as "name value" pairs, not raw JSON.
    const show = v => v !== null && typeof v === 'object' && !Array.isArray(v)
      ? '(' + Object.entries(v).map(([a, b]) => a + ' ' + show(b)).join(', ') + ')'
      : Array.isArray(v) ? v.join(', ') : String(v);
    const parts = Object.entries(disc).map(([k, v]) => k + ': ' + show(v));
    document.getElementById('discovery').replaceChildren(
      el('span', {'data-field': 'discovery-type'}, text(disc.type)), ' ', el('span', {class: 'kv'}, parts.join(', ')));
    const conflicts = state.conflicts || [];
    document.getElementById('conflicts').replaceChildren(
      ...(conflicts.length ? conflicts.map(c => el('li', null, c)) : [el('li', {class: 'empty'}, 'none')]));
    document.getElementById('domains').replaceChildren(...state.domains.map(renderDomain));
    document.getElementById('edge').replaceChildren(...renderEdge(state.edge));
    const select = document.getElementById('purge-domain');
    const names = state.domains.map(d => d.name);
    if (names.join('\n') !== Array.from(select.options).map(o => o.value).join('\n')) {
      const chosen = select.value;
      select.replaceChildren(...names.map(n => el('option', {value: n}, n)));
      if (names.includes(chosen)) {
        select.value = chosen;
      }
    }
  }

  function statusLine(state, message) {
    const line = document.getElementById('status-line');
    line.setAttribute('data-state', state);
    line.textContent = message;
  }

  async function poll() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    try {
      const res = await fetch('/console/api/state', {cache: 'no-store', signal: abort.signal});
      if (!res.ok) {
        throw new Error('state answered ' + res.status);
      }
      const state = await res.json();
      render(state);
      statusLine('ok', 'updated ' + new Date().toLocaleTimeString());
    } catch (e) {
      statusLine('error', 'edge not answering (' + e.message + '); showing the last state');
    } finally {
      clearTimeout(timer);
      setTimeout(poll, POLL_MS);
    }
  }

  async function act(method, url, label) {
    const out = document.getElementById('action-result');
    out.setAttribute('data-status', 'pending');
    out.textContent = label + '…';
    const headers = {};
    if (token) {
      headers['Authorization'] = 'Bearer ' + token;
    }
    try {
      const res = await fetch(url, {method: method, headers: headers, cache: 'no-store'});
      const body = await res.text();
      let detail = body;
      try {
        const json = JSON.parse(body);
        detail = json.detail ? (json.title ? json.title + ': ' : '') + json.detail : JSON.stringify(json);
      } catch (ignored) {
        // not JSON: shown as text
      }
      out.setAttribute('data-status', String(res.status));
      out.textContent = label + ' \u2192 ' + res.status + (res.ok ? ' OK' : ' refused') + (detail ? ': ' + detail : '');
    } catch (e) {
      out.setAttribute('data-status', 'error');
      out.textContent = label + ' failed: ' + e.message;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('token').addEventListener('input', e => {
      token = e.target.value.trim();
    });
    document.getElementById('actions').addEventListener('submit', e => e.preventDefault());
    document.getElementById('reload-edge').addEventListener('click',
      () => act('POST', '/console/api/reload?target=edge', 'reload edge'));
    document.getElementById('purge-cache').addEventListener('click', () => {
      const domain = document.getElementById('purge-domain').value;
      const prefix = document.getElementById('purge-prefix').value;
      act('DELETE', '/console/api/cache?domain=' + encodeURIComponent(domain) + '&prefix=' + encodeURIComponent(prefix),
        'purge ' + domain + ' ' + prefix);
    });
    document.getElementById('domains').addEventListener('click', e => {
      const b = e.target.closest('button[data-action="reload"]');
      if (b) {
        const id = b.getAttribute('data-target');
        act('POST', '/console/api/reload?instance=' + encodeURIComponent(id), 'reload ' + id);
      }
    });
    poll();
  });
}());
