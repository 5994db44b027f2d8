'use strict';
/* Workflows: batch scoring runs and training sweeps started over the API, with progress, outcome, errors and where their
   outputs are; drawn again every two seconds while one runs. */
(() => {
  const { h, get, table, number, time, state, link, segment, every } = App;
  const running = i => i.runtime_status === 'Running' || i.runtime_status === 'Pending';

  App.pages.workflows = async (parts, mine) => {
    const { instances, more } = await get('orchestrations');
    if (instances.some(running)) every(2000, async () => { await App.route(); return false; });
    return h('section', null, h('h1', null, 'Workflows'),
      instances.length ? table(null, [
        { label: 'Run', value: i => i.name === 'TrainingSweep' ? link(`#/sweeps/${segment(i.instance_id)}`, i.instance_id) : i.instance_id },
        { label: 'Kind', value: i => i.name === 'BatchScoring' ? 'batch scoring' : i.name === 'TrainingSweep' ? 'training sweep' : i.name },
        { label: 'Status', value: i => state(i.runtime_status) },
        { label: 'Progress', value: progress },
        { label: 'Outcome', value: outcome },
        { label: 'Started', value: i => time(i.created_utc) },
        { label: 'Updated', value: i => time(i.last_updated_utc) },
      ], instances, { id: 'workflows-table' }) : h('p', null, 'No workflow in the last 30 days.'),
      more ? h('p', { class: 'muted' }, 'Older or further runs are not shown.') : null);
  };

  function progress(i) {
    const s = i.custom_status;
    if (i.name === 'BatchScoring' && s && typeof s.chunks_total === 'number') {
      const label = `${s.stage}: ${s.chunks_done} of ${s.chunks_total} chunks, ${number(s.rows_scored)} rows, ${number(s.bad_rows)} bad`;
      return h('span', null, h('progress', { max: Math.max(1, s.chunks_total), value: s.chunks_done, 'aria-label': label }), ' ', label);
    }
    if (i.name === 'TrainingSweep' && s) return Object.entries(s).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ');
    return '–';
  }

  function outcome(i) {
    if (i.error) return h('span', { class: 'state-Failed' }, i.error);
    const o = i.output;
    if (!o || typeof o !== 'object') return o ? String(o) : '–';
    if (i.name === 'BatchScoring') {
      return h('span', null, `${o.model}@${o.model_version}: ${number(o.rows_out)} of ${number(o.rows_in)} rows scored, ${number(o.bad_rows)} bad rows (listed in the manifest). `,
        'Manifest ', h('code', null, o.manifest), o.merged ? [', merged ', h('code', null, o.merged)] : null);
    }
    if (i.name === 'TrainingSweep') {
      return `${o.registered_version ? `registered ${o.registered_version}` : 'nothing registered'}${o.promoted ? ', promoted' : ''}; best ${number(o.best_value)}`;
    }
    return JSON.stringify(o).slice(0, 200);
  }
})();
