'use strict';
/* Sweeps: the list with status and best score; one sweep's leaderboard and trials with charts (metric per trial, metric
   against each numeric hyperparameter, durations), drawn again every two seconds while it runs. */
(() => {
  const { h, get, call, table, number, time, state, link, segment, act, every } = App;
  const live = s => s.status === 'running' || s.status === 'starting';

  App.pages.sweeps = async (parts, mine) => parts.length ? sweep(parts[0], mine) : list(mine);

  async function list(mine) {
    const { sweeps } = await get('sweeps');
    if (sweeps.some(live)) every(2000, async () => { await App.route(); return false; });
    return h('section', null, h('h1', null, 'Sweeps'),
      sweeps.length ? table(null, [
        { label: 'Sweep', value: s => link(`#/sweeps/${segment(s.sweep_id)}`, s.sweep_id) },
        { label: 'Model', value: s => s.model_name },
        { label: 'Status', value: s => state(s.status) },
        { label: 'Metric', value: s => s.metric },
        { label: 'Best', value: s => number(s.best_value), num: true },
        { label: 'Trials', value: s => `${s.trials_succeeded} ok, ${s.trials_failed} failed of ${s.trials_total}`, num: true },
        { label: 'Registered', value: s => s.registered_version ? `${s.registered_version}${s.promoted ? ' (promoted)' : ''}` : '–' },
        { label: 'Started', value: s => time(s.created_utc) },
      ], sweeps, { id: 'sweeps-table' }) : h('p', null, 'No sweep yet.'));
  }

  async function sweep(id, mine) {
    const detail = await get(`sweeps/${segment(id)}`);
    if (live(detail.sweep)) {
      every(2000, async () => {
        const next = await get(`sweeps/${segment(id)}`);
        if (!App.current(mine)) return false;
        document.getElementById('sweep').replaceWith(render(next));
        return live(next.sweep);
      });
    }
    return h('section', null, h('p', null, link('#/sweeps', '← All sweeps')), render(detail));
  }

  function render(detail) {
    const s = detail.sweep;
    const trials = detail.trials;
    const byId = new Map(trials.map(t => [t.trial_id, t]));
    const params = [...new Set(trials.flatMap(t => Object.entries(t.hyperparameters || {}).filter(([, v]) => typeof v === 'number').map(([k]) => k)))].sort();
    const value = t => t.metrics ? t.metrics[s.metric] : undefined;
    const done = trials.filter(t => typeof value(t) === 'number');
    return h('div', { id: 'sweep', 'data-status': s.status },
      h('h1', null, `Sweep ${s.sweep_id}`),
      h('dl', { class: 'facts' },
        h('dt', null, 'Status'), h('dd', { id: 'sweep-status' }, state(s.status)),
        h('dt', null, 'Model'), h('dd', null, link(`#/models/${segment(s.model_name)}`, s.model_name)),
        h('dt', null, 'Data'), h('dd', null, `${s.dataset} → ${s.target} (${s.task}); ${number(s.train_rows)} training rows, ${number(s.validation_rows)} validation`),
        h('dt', null, 'Metric'), h('dd', null, `${s.metric}; best ${number(s.best_value)}${s.best_trial_id ? ` (${s.best_trial_id})` : ''}`),
        h('dt', null, 'Trials'), h('dd', null, `${s.trials_succeeded} succeeded, ${s.trials_failed} failed of ${s.trials_total}`),
        h('dt', null, 'Outcome'), h('dd', null, s.registered_version ? `registered version ${s.registered_version}; ${s.promoted ? 'promoted' : 'not promoted'}${s.promotion_reason ? ` — ${s.promotion_reason}` : ''}` : (s.error || '–')),
        h('dt', null, 'Started'), h('dd', null, `${time(s.created_utc)}${s.completed_utc ? `, ended ${time(s.completed_utc)}` : ''}`)),
      detail.request ? h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => {
        if (!confirm('Start a new sweep with this sweep\'s request?')) return;
        act('Start a sweep from this request', () => call('POST', 'orchestrations/training-sweeps', detail.request),
          result => { location.hash = `#/sweeps/${segment(result.json.id)}`; });
      } }, 'Start again from this request')) : null,
      h('h2', null, 'Leaderboard'),
      detail.leaderboard.length ? table(null, [
        { label: 'Rank', value: e => e.rank, num: true },
        { label: 'Trial', value: e => e.trial_id },
        { label: 'Algorithm', value: e => e.algorithm },
        { label: s.metric, value: e => number(e.value), num: true },
        { label: 'Hyperparameters', value: e => compact(byId.get(e.trial_id)?.hyperparameters) },
        { label: 'Seconds', value: e => number(byId.get(e.trial_id)?.train_seconds, 1), num: true },
      ], detail.leaderboard, { id: 'leaderboard' }) : h('p', { id: 'leaderboard-empty' }, 'No trial has finished yet.'),
      h('h2', null, 'Charts'),
      h('div', { class: 'charts' },
        Charts.figure(`${s.metric} per trial`, Charts.bars(`${s.metric} per trial`, done.map(t => ({ label: t.trial_id, value: value(t) })))),
        Charts.figure('Training seconds per trial', Charts.bars('Training seconds per trial', trials.map(t => ({ label: t.trial_id, value: t.train_seconds })), ' s')),
        params.map(p => Charts.figure(`${s.metric} against ${p}`, Charts.scatter(`${s.metric} against ${p}`,
          done.filter(t => typeof (t.hyperparameters || {})[p] === 'number').map(t => ({ x: t.hyperparameters[p], y: value(t), label: t.trial_id, group: t.algorithm })),
          p, s.metric)))),
      h('h2', null, 'Trials'),
      table(null, [
        { label: 'Trial', value: t => t.trial_id },
        { label: 'Algorithm', value: t => t.algorithm },
        { label: 'Status', value: t => state(t.status) },
        { label: 'Hyperparameters', value: t => compact(t.hyperparameters) },
        { label: 'Metrics', value: t => Object.entries(t.metrics || {}).map(([k, v]) => `${k} ${number(v)}`).join(', ') },
        { label: 'Ran on', value: t => t.runner || '–' },
        { label: 'Seconds', value: t => number(t.train_seconds, 1), num: true },
        { label: 'Error', value: t => t.error || '' },
      ], trials, { id: 'trials' }));
  }

  const compact = p => p ? Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ') : '';
})();
