'use strict';
/* Workflows: batch scoring runs and training sweeps started over the API, and every model's retraining runs, with progress,
   outcome, errors and where their outputs are; a batch run's page lists its bad rows, a retraining run's page its lineage.
   Drawn again every two seconds while one runs. */
(() => {
  const { h, get, table, number, time, state, link, segment, every } = App;
  const running = i => i.runtime_status === 'Running' || i.runtime_status === 'Pending';
  const retrainingStages = ['exporting', 'training', 'waiting_for_approval', 'shadow', 'rollout', 'done'];

  App.pages.workflows = async parts =>
    parts[0] === 'retraining' && parts.length >= 3 ? retrainingRun(parts[1], parts[2])
      : parts.length ? batchRun(parts[0])
      : list();

  async function list() {
    const [{ instances, more }, retraining] = await Promise.all([get('orchestrations'), retrainingRuns()]);
    if (instances.some(running) || retraining.some(r => r.status === 'running')) every(2000, async () => { await App.route(); return false; });
    return h('section', null, h('h1', null, 'Workflows'),
      h('h2', null, 'Batch scoring and sweeps'),
      instances.length ? table(null, [
        { label: 'Run', value: i => i.name === 'TrainingSweep' ? link(`#/sweeps/${segment(i.instance_id)}`, i.instance_id)
          : i.name === 'BatchScoring' ? link(`#/workflows/${segment(i.instance_id)}`, i.instance_id) : i.instance_id },
        { label: 'Kind', value: i => i.name === 'BatchScoring' ? 'batch scoring' : i.name === 'TrainingSweep' ? 'training sweep' : i.name },
        { label: 'Status', value: i => state(i.runtime_status) },
        { label: 'Progress', value: progress },
        { label: 'Outcome', value: outcome },
        { label: 'Started', value: i => time(i.created_utc) },
        { label: 'Updated', value: i => time(i.last_updated_utc) },
      ], instances, { id: 'workflows-table' }) : h('p', null, 'No workflow in the last 30 days.'),
      more ? h('p', { class: 'muted' }, 'Older or further runs are not shown.') : null,
      h('h2', null, 'Retraining runs'),
      retraining.length ? table(null, [
        { label: 'Run', value: r => link(`#/workflows/retraining/${segment(r.model)}/${segment(r.run_id)}`, r.run_id) },
        { label: 'Model', value: r => link(`#/models/${segment(r.model)}`, r.model) },
        { label: 'Trigger', value: r => r.trigger },
        { label: 'Status', value: r => state(r.status) },
        { label: 'Progress', value: stage },
        { label: 'Champion → challenger', value: r => [r.champion || '–', ' → ', r.challenger || '–'] },
        { label: 'Outcome', value: r => r.decision ? [state(r.decision), r.reason ? `: ${r.reason}` : null] : '–' },
        { label: 'Started', value: r => time(r.created_utc) },
        { label: 'Ended', value: r => time(r.completed_utc) },
      ], retraining, { id: 'retraining-table' }) : h('p', null, 'No retraining run yet (a model retrains under its policy: PUT models/{name}/retraining).'));
  }

  /** Every model's retraining runs, newest first (a model whose runs cannot be read is left out). */
  async function retrainingRuns() {
    const { models } = await get('models');
    const lists = await Promise.all(models.map(m => get(`models/${segment(m.name)}/retraining/runs`)
      .then(r => r.runs.map(run => ({ ...run, model: m.name }))).catch(() => [])));
    return lists.flat().sort((a, b) => b.created_utc.localeCompare(a.created_utc));
  }

  function stage(r) {
    const at = Math.max(0, retrainingStages.indexOf(r.stage));
    const ongoing = r.status === 'running' || r.status === 'waiting_for_approval';
    const label = `${ongoing ? '' : 'ended at '}${r.stage.replace(/_/g, ' ')} (stage ${at + 1} of ${retrainingStages.length})`;
    return h('span', null, h('progress', { max: retrainingStages.length, value: ongoing ? at : at + 1, 'aria-label': label }), ' ', label);
  }

  function progress(i) {
    const s = i.custom_status;
    if (i.name === 'BatchScoring' && s && typeof s.chunks_total === 'number') {
      const label = `${s.stage}: ${s.chunks_done} of ${s.chunks_total} chunks, ${number(s.rows_scored)} rows, ${number(s.bad_rows)} bad`;
      return h('span', null, h('progress', { max: Math.max(1, s.chunks_total), value: s.chunks_done, 'aria-label': label }), ' ', label);
    }
    if (i.name === 'TrainingSweep' && s) return Object.entries(s).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ');
    return '–';
  }

  const badRowsLink = i => link(`#/workflows/${segment(i.instance_id)}`, 'bad rows');

  function outcome(i) {
    if (i.error) return h('span', null, h('span', { class: 'state-Failed' }, i.error), i.name === 'BatchScoring' ? [' · ', badRowsLink(i)] : null);
    const o = i.output;
    if (!o || typeof o !== 'object') return o ? String(o) : '–';
    if (i.name === 'BatchScoring') {
      return h('span', null, `${o.model}@${o.model_version}: ${number(o.rows_out)} of ${number(o.rows_in)} rows scored, ${number(o.bad_rows)} bad rows`,
        o.bad_rows ? [' (', badRowsLink(i), ')'] : null, '. Manifest ', h('code', null, o.manifest), o.merged ? [', merged ', h('code', null, o.merged)] : null);
    }
    if (i.name === 'TrainingSweep') {
      return h('span', null, o.registered_version ? ['registered ', link(`#/models/${segment(o.model_name || '')}`, o.registered_version)] : 'nothing registered',
        o.promoted ? ', promoted' : '', `; best ${number(o.best_value)}`);
    }
    return JSON.stringify(o).slice(0, 200);
  }

  async function batchRun(id) {
    const run = await get(`orchestrations/${segment(id)}`);
    if (run.name !== 'BatchScoring') throw new App.ApiError(404, `Workflow '${id}' is not a batch scoring run.`);
    const bad = await get(`orchestrations/${segment(id)}/bad-rows?limit=50`);
    if (running(run)) every(2000, async () => { await App.route(); return false; });
    const o = run.output;
    return h('section', null,
      h('h1', null, `Batch scoring ${id}`),
      h('p', null, link('#/workflows', '← All workflows')),
      h('dl', { class: 'facts', id: 'batch-facts' },
        h('dt', null, 'Status'), h('dd', null, state(run.runtime_status)),
        h('dt', null, 'Progress'), h('dd', null, progress(run)),
        h('dt', null, 'Started'), h('dd', null, time(run.created_utc)),
        h('dt', null, 'Updated'), h('dd', null, time(run.last_updated_utc)),
        run.error ? [h('dt', null, 'Error'), h('dd', { class: 'state-Failed' }, run.error)] : null,
        o ? [h('dt', null, 'Model'), h('dd', null, link(`#/models/${segment(o.model)}`, `${o.model}@${o.model_version}`)),
          h('dt', null, 'Rows'), h('dd', null, `${number(o.rows_out)} of ${number(o.rows_in)} scored in ${o.chunks} chunk(s), ${number(o.bad_rows)} bad`),
          h('dt', null, 'Manifest'), h('dd', null, h('code', null, o.manifest)),
          o.merged ? [h('dt', null, 'Merged'), h('dd', null, h('code', null, o.merged))] : null] : null,
        h('dt', null, 'Bad rows listed in'), h('dd', null, h('code', null, `${bad.errors_folder}/`), bad.error_blobs.length ? ` (${bad.error_blobs.length} file(s) read)` : '')),
      h('h2', null, `Bad rows (${bad.bad_rows === null ? '–' : number(bad.bad_rows)})`),
      bad.rows.length ? [
        bad.bad_rows > bad.rows.length ? h('p', { class: 'muted' }, `The first ${bad.rows.length}; every one is in the errors folder.`) : null,
        table(null, [
          { label: 'Row', value: r => number(r.row), num: true },
          { label: 'Id', value: r => r.id ?? (r.id_error ? `unreadable: ${r.id_error}` : '–') },
          { label: 'Feature', value: r => r.feature ?? '(the row)' },
          { label: 'Reason', value: r => r.reason },
        ], bad.rows, { id: 'bad-rows-table' })] : h('p', null, 'No bad row.'));
  }

  async function retrainingRun(model, runId) {
    const run = await get(`models/${segment(model)}/retraining/runs/${segment(runId)}`);
    if (run.status === 'running') every(2000, async () => { await App.route(); return false; });
    const t = run.trigger;
    return h('section', null,
      h('h1', null, `Retraining ${runId}`),
      h('p', null, link('#/workflows', '← All workflows'), ' · ', link(`#/models/${segment(model)}`, `Model ${model}`)),
      h('dl', { class: 'facts', id: 'retraining-facts' },
        h('dt', null, 'Status'), h('dd', null, state(run.status)),
        h('dt', null, 'Progress'), h('dd', null, stage(run)),
        h('dt', null, 'Trigger'), h('dd', null, `${t.kind}: ${t.message}`, t.report_run_id && t.report_version
          ? [' · ', link(`#/monitoring/${segment(model)}/${segment(t.report_version)}/${segment(t.report_run_id)}`, 'the report')] : null),
        h('dt', null, 'Alias'), h('dd', null, `${run.alias} (champion ${run.champion || '–'})`),
        run.data ? [h('dt', null, 'Data'), h('dd', null, h('code', null, run.data.dataset),
          `: ${number(run.data.traffic_rows)} traffic rows, ${number(run.data.reference_rows)} reference rows`)] : null,
        run.sweep ? [h('dt', null, 'Sweep'), h('dd', null, link(`#/sweeps/${segment(run.sweep.sweep_id)}`, run.sweep.sweep_id),
          `, ${run.sweep.metric}`, run.sweep.challenger ? [', challenger ', link(`#/models/${segment(model)}`, run.sweep.challenger)] : ', no challenger')] : null,
        run.approval ? [h('dt', null, 'Approval'), h('dd', null, `${run.approval.approved ? 'approved' : 'rejected'} by ${run.approval.by}${run.approval.reason ? `: ${run.approval.reason}` : ''}`)] : null,
        h('dt', null, 'Outcome'), h('dd', null, run.decision ? [state(run.decision), run.reason ? `: ${run.reason}` : null] : 'not decided yet'),
        h('dt', null, 'Started'), h('dd', null, time(run.created_utc)),
        h('dt', null, 'Ended'), h('dd', null, time(run.completed_utc))),
      run.sweep && run.sweep.leaderboard.length ? [h('h2', null, 'Leaderboard'), table(null, [
        { label: 'Trial', value: r => r.trial_id },
        { label: 'Algorithm', value: r => r.algorithm },
        { label: run.sweep.metric, value: r => number(r.value), num: true },
      ], run.sweep.leaderboard)] : null,
      run.steps.length ? [h('h2', null, 'Shadow and rollout readings'), table(null, [
        { label: 'Stage', value: s => s.stage },
        { label: 'Weight', value: s => `${s.weight} %`, num: true },
        { label: 'At', value: s => time(s.at_utc) },
        { label: 'Challenger vs champion', value: s => s.comparison.metric
          ? `${s.comparison.metric} ${number(s.comparison.challenger_value)} vs ${number(s.comparison.champion_value)} (${number(s.comparison.challenger_rows)} / ${number(s.comparison.champion_rows)} labelled rows)` : '–' },
        { label: 'Verdict', value: s => s.verdict },
        { label: 'Note', value: s => s.note },
      ], run.steps, { id: 'retraining-steps' })] : null);
  }

})();
