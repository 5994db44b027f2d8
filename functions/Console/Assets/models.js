'use strict';
/* Models: every model and graph with versions and aliases; one model's aliases (traffic as bars, rollout and guard
   readings, promote and roll back), versions (signature, manifest, cold start, serving health from its latest report). */
(() => {
  const { h, get, call, table, number, percent, time, state, link, segment, act } = App;

  App.pages.models = async (parts, mine) => parts.length ? model(parts[0], mine) : list();

  async function list() {
    const { models } = await get('models');
    const rows = models.slice().sort((a, b) => a.name.localeCompare(b.name));
    const body = table(null, [
      { label: 'Model', value: m => link(`#/models/${segment(m.name)}`, m.name) },
      { label: 'Versions', value: m => m.versions.length, num: true },
      { label: 'Latest', value: m => m.latest_version },
      { label: 'Aliases', value: m => h('span', null, Object.entries(m.aliases).map(([a, v]) => h('span', { class: 'chip' }, `${a} → ${v}`))) },
    ], rows, { id: 'models-table' });
    const filter = h('input', { id: 'model-filter', type: 'search', oninput: event => {
      const text = event.target.value.toLowerCase();
      for (const tr of body.tBodies[0].rows) tr.hidden = !tr.cells[0].textContent.toLowerCase().includes(text);
    } });
    return h('section', null, h('h1', null, 'Models'),
      rows.length ? [h('p', { class: 'filter' }, h('label', { for: 'model-filter' }, 'Filter by name '), filter), body]
        : h('p', null, 'No model is registered yet.'));
  }

  async function model(name, mine) {
    const [summary, versions, reports] = await Promise.all([
      get('models').then(r => r.models.find(m => m.name === name)),
      get(`models/${segment(name)}/versions`),
      get(`models/${segment(name)}/monitoring/reports`).catch(() => ({ reports: [] })),
    ]);
    if (!summary) throw new App.ApiError(404, `Model '${name}' not found.`);
    const aliases = await Promise.all(Object.keys(summary.aliases).sort().map(a => get(`models/${segment(name)}/aliases/${segment(a)}`)));
    if (!App.current(mine)) return h('div');
    const health = new Map();
    for (const r of reports.reports) if (!health.has(r.version)) health.set(r.version, r);
    const list = versions.versions;
    const isGraph = list.some(v => v.platform === 'inference_graph');
    return h('section', null,
      h('h1', null, `${isGraph ? 'Graph' : 'Model'} ${name}`),
      h('p', null, link('#/models', '← All models'), ' · ', link(`#/monitoring/${segment(name)}`, 'Monitoring reports')),
      h('h2', null, 'Aliases'),
      aliases.length ? h('div', { class: 'cards' }, aliases.map(a => aliasCard(name, a, list))) : h('p', null, 'No alias yet; calls without a version get the latest.'),
      h('h2', null, `Versions (${list.length})`),
      h('p', { class: 'muted', id: 'health-note' }, 'Serving health per version (requests, error rate, p50/p95/p99 latency) is that of the version\'s latest monitoring report, counted from the inference log over its window.'),
      versionsTable(name, list, health));
  }

  function aliasCard(name, alias, versions) {
    const traffic = alias.traffic || { [alias.version]: 100 };
    const select = h('select', { id: `promote-${alias.alias}`, name: 'version' },
      versions.slice().reverse().map(v => h('option', { value: v.version, selected: v.version === alias.version }, v.version)));
    const base = `models/${segment(name)}/aliases/${segment(alias.alias)}`;
    return h('article', { class: 'card', 'data-alias': alias.alias, 'aria-labelledby': `alias-${alias.alias}` },
      h('h3', { id: `alias-${alias.alias}` }, alias.alias, ' → ', h('span', { class: 'alias-version' }, alias.version)),
      h('div', { class: 'split', role: 'img', 'aria-label': `Traffic: ${Object.entries(traffic).map(([v, w]) => `version ${v} ${w} %`).join(', ')}` },
        Object.entries(traffic).map(([v, w], i) => {
          const part = h('span', { title: `version ${v}: ${w} %` }, `${v}: ${w} %`);
          part.style.width = `${w}%`;
          part.style.background = Charts.palette[i % Charts.palette.length];
          return part;
        })),
      alias.mirror ? h('p', null, `Mirror: ${alias.mirror.percent} % copied to version ${alias.mirror.version}`) : null,
      alias.rollout ? rollout(alias.rollout) : null,
      h('p', { class: 'muted' }, `Moved ${time(alias.updated_utc)}`),
      h('div', { class: 'row' },
        h('label', { for: `promote-${alias.alias}` }, 'Version to promote'), select,
        h('button', { class: 'primary', type: 'button', onclick: () => {
          const version = select.value;
          if (!confirm(`Point ${name}:${alias.alias} at version ${version}?`)) return;
          act(`Promote ${version} to ${alias.alias}`, () => call('PUT', base, { version, reason: 'promoted from the console' }, { 'If-Match': alias.etag }));
        } }, 'Promote'),
        h('button', { type: 'button', onclick: () => {
          if (!confirm(`Roll ${name}:${alias.alias} back to its previous version?`)) return;
          act(`Roll back ${alias.alias}`, () => call('POST', `${base}/rollback`, { reason: 'rolled back from the console' }, { 'If-Match': alias.etag }));
        } }, 'Roll back')));
  }

  function rollout(r) {
    const readings = r.readings;
    const guard = (label, limit, reading, over) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, limit),
      h('td', { class: 'num' }, reading), h('td', null, over === null ? '–' : over ? h('span', { class: 'state-failed' }, 'over') : h('span', { class: 'state-completed' }, 'within')));
    const g = r.guards;
    const rows = [
      g.max_error_rate !== null ? guard('Error rate (lower bound)', `≤ ${percent(g.max_error_rate)}`, readings ? percent(readings.error_rate_lower_bound) : '–',
        readings && readings.error_rate_lower_bound !== null ? readings.error_rate_lower_bound > g.max_error_rate : null) : null,
      g.max_p95_ms !== null ? guard('p95 latency', `≤ ${number(g.max_p95_ms)} ms`, readings && readings.latency_p95_ms !== null ? `${number(readings.latency_p95_ms, 1)} ms` : '–',
        readings && readings.latency_p95_ms !== null ? readings.latency_p95_ms > g.max_p95_ms : null) : null,
      g.max_metric_drop !== null ? guard(`Drop of ${readings && readings.metric ? readings.metric : 'the metric'}`, `≤ ${number(g.max_metric_drop)}`,
        readings && readings.metric_drop !== null ? number(readings.metric_drop) : '–', readings && readings.metric_drop !== null ? readings.metric_drop > g.max_metric_drop : null) : null,
    ].filter(x => x);
    return h('div', { class: 'rollout', 'data-state': r.state },
      h('p', null, 'Rollout of ', h('strong', null, r.version), ' from ', r.champion, ': ', state(r.state),
        ` — step ${r.step_index + 1} of ${r.steps.length} (${r.weight} %)`),
      h('ol', { class: 'steps', 'aria-label': 'Rollout steps (percent of traffic to the new version)' },
        r.steps.map((w, i) => h('li', { class: i < r.step_index ? 'done' : i === r.step_index ? 'now' : null, 'aria-current': i === r.step_index ? 'step' : null }, `${w} %`))),
      rows.length ? h('table', { class: 'guards' }, h('caption', null, 'Guards and their last readings'),
        h('thead', null, h('tr', null, ['Guard', 'Limit', 'Reading', 'Verdict'].map((c, i) => h('th', { scope: 'col', class: i === 1 || i === 2 ? 'num' : null }, c)))),
        h('tbody', null, rows)) : h('p', null, 'No guard.'),
      h('dl', { class: 'facts' },
        readings ? [
          h('dt', null, 'Read'), h('dd', null, `${time(readings.read_utc)}: ${readings.requests} requests, ${readings.errors} errors, error rate ${percent(readings.error_rate)}`),
          readings.metric ? [h('dt', null, readings.metric), h('dd', null, `${number(readings.metric_value)} vs champion ${number(readings.champion_metric_value)}`)] : null,
          readings.note ? [h('dt', null, 'Note'), h('dd', null, readings.note)] : null] : [h('dt', null, 'Read'), h('dd', null, 'not yet')],
        h('dt', null, 'Step minimums'), h('dd', null, `${r.min_step_minutes} min, ${r.min_step_requests} requests (step began ${time(r.step_started_utc)})`),
        r.end_reason ? [h('dt', null, 'Ended'), h('dd', null, `${time(r.ended_utc)}: ${r.end_reason}`)] : null));
  }

  /** A version's serving figure from its latest report (the inference log over that report's window); '–' without one. */
  const served = (report, figure) => report && report.requests !== null && report.requests !== undefined ? figure(report) : '–';
  const ms = value => value === null || value === undefined ? '–' : `${number(value, 1)} ms`;

  const signature = tensors => tensors.map(t => `${t.name} ${t.datatype}[${t.shape.join(',')}]`).join('; ');

  function versionsTable(name, versions, health) {
    const rows = versions.slice().reverse();
    const manifest = async (button, version) => {
      const cell = button.parentElement;
      const { text } = await call('GET', `models/${segment(name)}/versions/${segment(version)}/manifest`);
      cell.replaceChildren(h('details', { open: true }, h('summary', null, 'Manifest'), h('pre', null, JSON.stringify(JSON.parse(text), null, 2))));
    };
    return table(null, [
      { label: 'Version', value: v => v.version },
      { label: 'Created', value: v => time(v.created_utc) },
      { label: 'Kind', value: v => v.platform },
      { label: 'Inputs', value: v => signature(v.inputs) },
      { label: 'Outputs', value: v => signature(v.outputs) },
      { label: 'Size', value: v => `${number(v.size_bytes / 1024, 1)} KiB`, num: true },
      { label: 'Cold start', value: v => v.serving.loaded ? `${number(v.serving.cold_start_ms.total, 1)} ms` : 'not loaded', num: true },
      { label: 'Requests', value: v => served(health.get(v.version), r => number(r.requests)), num: true },
      { label: 'Error rate', value: v => served(health.get(v.version), r => percent(r.error_rate)), num: true },
      { label: 'p50', value: v => served(health.get(v.version), r => ms(r.latency_p50_ms)), num: true },
      { label: 'p95', value: v => served(health.get(v.version), r => ms(r.latency_p95_ms)), num: true },
      { label: 'p99', value: v => served(health.get(v.version), r => ms(r.latency_p99_ms)), num: true },
      { label: 'Manifest', value: v => v.has_manifest
        ? h('button', { type: 'button', onclick: e => manifest(e.target, v.version).catch(err => App.alert(err.message)) }, 'Show') : 'none' },
    ], rows, { id: 'versions-table' });
  }
})();
