'use strict';
/* Monitoring: per model, its reports over time (drift share, requests, error rate, p95 latency per version), each version's
   latest findings and alert, each report's page, and running the monitor now. A report's page is fetched with the key and shown in a sandboxed frame without scripts. */
(() => {
  const { h, get, call, table, number, percent, time, link, segment, act } = App;

  App.pages.monitoring = async (parts, mine) =>
    parts.length >= 3 ? report(parts[0], parts[1], parts[2]) : parts.length ? model(parts[0]) : list();

  const runButton = (label, body) => h('button', { type: 'button', class: 'primary', onclick: () =>
    act(label, () => call('POST', 'monitoring/runs', body)) }, label);

  async function list() {
    const { models } = await get('models');
    const names = models.map(m => m.name).sort();
    const latest = await Promise.all(names.map(n => get(`models/${segment(n)}/monitoring/reports`).then(r => r.reports[0]).catch(() => undefined)));
    return h('section', null, h('h1', null, 'Monitoring'),
      h('div', { class: 'row' }, runButton('Run the monitor for every model', undefined)),
      names.length ? table(null, [
        { label: 'Model', value: i => link(`#/monitoring/${segment(names[i])}`, names[i]) },
        { label: 'Latest report', value: i => latest[i] ? time(latest[i].generated_utc) : 'none yet' },
        { label: 'Version', value: i => latest[i]?.version ?? '–' },
        { label: 'Drift share', value: i => latest[i] ? percent(latest[i].drift_share) : '–', num: true },
        { label: 'Findings', value: i => latest[i]?.findings ?? '–', num: true },
        { label: 'Alert', value: i => !latest[i] ? '–' : latest[i].findings ? h('span', { class: 'state-failed' }, 'raised') : 'none' },
      ], names.map((_, i) => i), { id: 'monitoring-table' }) : h('p', null, 'No model is registered yet.'));
  }

  async function model(name) {
    const { reports } = await get(`models/${segment(name)}/monitoring/reports`);
    const versions = [...new Set(reports.map(r => r.version))].sort();
    const latest = versions.map(v => reports.find(r => r.version === v));
    const details = await Promise.all(latest.map(r => r.findings
      ? get(`models/${segment(name)}/versions/${segment(r.version)}/monitoring/reports/${segment(r.run_id)}/json`).catch(error => ({ error: error.message }))
      : { findings: [] }));
    const series = field => versions.map(v => ({ name: `v${v}`,
      points: reports.filter(r => r.version === v && typeof r[field] === 'number').map(r => ({ t: new Date(r.generated_utc), y: r[field] })) }));
    return h('section', null,
      h('h1', null, `Monitoring ${name}`),
      h('p', null, link('#/monitoring', '← All models'), ' · ', link(`#/models/${segment(name)}`, 'Model')),
      h('div', { class: 'row' }, runButton(`Run the monitor for ${name}`, { model: name })),
      reports.length ? [
        h('h2', null, 'Findings and alerts per version'),
        h('div', { class: 'cards', id: 'findings' }, latest.map((r, i) => findings(name, r, details[i]))),
        h('h2', null, 'Over time'),
        h('div', { class: 'charts' },
          Charts.figure('Drift share', Charts.lines('Drift share per version over time', series('drift_share'))),
          Charts.figure('Requests', Charts.lines('Requests per report window', series('requests'))),
          Charts.figure('Error rate', Charts.lines('Error rate per version over time', series('error_rate'))),
          Charts.figure('p95 latency (ms)', Charts.lines('p95 latency per version over time', series('latency_p95_ms'), 'ms'))),
        h('h2', null, 'Reports'),
        table(null, [
          { label: 'Generated', value: r => time(r.generated_utc) },
          { label: 'Version', value: r => r.version },
          { label: 'Rows', value: r => number(r.rows), num: true },
          { label: 'Drift share', value: r => percent(r.drift_share), num: true },
          { label: 'Dataset drift', value: r => r.dataset_drift ? 'yes' : 'no' },
          { label: 'Prediction drift', value: r => r.prediction_drift ? 'yes' : 'no' },
          { label: 'Decay', value: r => r.performance_decay ? 'yes' : 'no' },
          { label: 'Findings', value: r => r.findings, num: true },
          { label: 'Requests', value: r => number(r.requests), num: true },
          { label: 'Errors', value: r => percent(r.error_rate), num: true },
          { label: 'p95', value: r => r.latency_p95_ms === null || r.latency_p95_ms === undefined ? '–' : `${number(r.latency_p95_ms, 1)} ms`, num: true },
          { label: 'Page', value: r => link(`#/monitoring/${segment(name)}/${segment(r.version)}/${segment(r.run_id)}`, 'Open report') },
        ], reports, { id: 'reports-table' })] : h('p', null, 'No report yet: run the monitor.'));
  }

  /** A version's latest report: its findings (each raised the report's alert to the webhook, where one is set), or all clear. */
  function findings(name, summary, detail) {
    const list = detail.findings || [];
    return h('article', { class: 'card', 'data-version': summary.version, 'aria-labelledby': `findings-${summary.version}` },
      h('h3', { id: `findings-${summary.version}` }, `Version ${summary.version}: `,
        summary.findings ? h('span', { class: 'state-failed' }, `${summary.findings} finding${summary.findings === 1 ? '' : 's'}, alert raised`)
          : h('span', { class: 'state-completed' }, 'no finding, no alert')),
      h('p', { class: 'muted' }, `Latest report ${time(summary.generated_utc)} · `,
        link(`#/monitoring/${segment(name)}/${segment(summary.version)}/${segment(summary.run_id)}`, `Open the report of version ${summary.version}`)),
      detail.error ? h('p', { class: 'state-failed' }, detail.error) : null,
      list.length ? h('ul', { class: 'findings' }, list.map(f => h('li', null, h('span', { class: 'kind' }, f.kind), ': ', f.message))) : null);
  }

  async function report(name, version, runId) {
    const { text } = await call('GET', `models/${segment(name)}/versions/${segment(version)}/monitoring/reports/${segment(runId)}`);
    const frame = h('iframe', { class: 'report', sandbox: '', title: `Monitoring report of ${name} version ${version}, run ${runId}`, id: 'report-frame' });
    frame.srcdoc = text;
    return h('section', null,
      h('h1', null, `Report ${name} v${version}`),
      h('p', null, link(`#/monitoring/${segment(name)}`, `← Reports of ${name}`), ` · run ${runId}`),
      frame);
  }
})();
