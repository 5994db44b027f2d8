'use strict';
/* Small SVG charts drawn in the browser: bars, a scatter and time lines. Each is an <svg role="img"> with a title and a
   description in words; the pages show the same figures in a table beside it. Colours: Okabe-Ito, safe for colour blindness. */
const Charts = (() => {
  const ns = 'http://www.w3.org/2000/svg';
  const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#7f7f00'];
  const width = 480, height = 240, left = 56, right = 12, top = 12, bottom = 40;

  function el(tag, attrs, text) {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function frame(title, description) {
    const svg = el('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}. ${description}` });
    svg.append(el('title', {}, title), el('desc', {}, description));
    return svg;
  }

  function extent(values, zero) {
    let lo = Math.min(...values), hi = Math.max(...values);
    if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (!isFinite(lo) || !isFinite(hi)) return [0, 1];
    if (lo === hi) { const pad = Math.abs(lo) * 0.05 || 1; hi += pad; if (!(zero && lo === 0)) lo -= pad; }
    return [lo, hi];
  }

  const label = v => Math.abs(v) >= 1000 ? v.toExponential(1) : Number(v.toPrecision(3)).toString();

  function yAxis(svg, lo, hi, caption) {
    const plotHeight = height - top - bottom;
    for (let i = 0; i <= 4; i++) {
      const value = lo + (hi - lo) * i / 4;
      const y = top + plotHeight - plotHeight * i / 4;
      svg.append(el('line', { class: 'grid', x1: left, x2: width - right, y1: y, y2: y }));
      svg.append(el('text', { x: left - 4, y: y + 4, 'text-anchor': 'end' }, label(value)));
    }
    svg.append(el('line', { class: 'axis', x1: left, x2: left, y1: top, y2: height - bottom }));
    if (caption) svg.append(el('text', { x: 4, y: top + 8 }, caption));
  }

  const scale = (value, lo, hi, from, to) => from + (to - from) * (value - lo) / (hi - lo);

  /** Bars: items [{label, value}], in the order given. */
  function bars(title, items, unit) {
    const shown = items.filter(i => typeof i.value === 'number' && isFinite(i.value));
    const svg = frame(title, shown.map(i => `${i.label}: ${label(i.value)}${unit || ''}`).join('; ') || 'No values yet.');
    if (!shown.length) { svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No values yet')); return svg; }
    const [lo, hi] = extent(shown.map(i => i.value), true);
    yAxis(svg, lo, hi, unit);
    const plotWidth = width - left - right, slot = plotWidth / shown.length, bar = Math.max(2, slot * 0.7);
    shown.forEach((item, i) => {
      const x = left + slot * i + (slot - bar) / 2;
      const y0 = scale(0, lo, hi, height - bottom, top), y1 = scale(item.value, lo, hi, height - bottom, top);
      const rect = el('rect', { x, y: Math.min(y0, y1), width: bar, height: Math.max(1, Math.abs(y1 - y0)), fill: item.colour || palette[0] });
      rect.append(el('title', {}, `${item.label}: ${label(item.value)}${unit || ''}`));
      svg.append(rect);
      if (shown.length <= 24) svg.append(el('text', { x: x + bar / 2, y: height - bottom + 14, 'text-anchor': 'middle' }, String(item.label).slice(0, 8)));
    });
    return svg;
  }

  /** A scatter: points [{x, y, label, group}]; one colour per group. */
  function scatter(title, points, xCaption, yCaption) {
    const shown = points.filter(p => isFinite(p.x) && isFinite(p.y));
    const svg = frame(title, shown.map(p => `${p.label}: ${xCaption} ${label(p.x)}, ${yCaption} ${label(p.y)}`).join('; ') || 'No values yet.');
    if (!shown.length) { svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No values yet')); return svg; }
    const [ylo, yhi] = extent(shown.map(p => p.y)), [xlo, xhi] = extent(shown.map(p => p.x));
    yAxis(svg, ylo, yhi, yCaption);
    svg.append(el('line', { class: 'axis', x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
    for (let i = 0; i <= 4; i++) {
      const value = xlo + (xhi - xlo) * i / 4;
      svg.append(el('text', { x: scale(value, xlo, xhi, left, width - right), y: height - bottom + 14, 'text-anchor': 'middle' }, label(value)));
    }
    svg.append(el('text', { x: (left + width) / 2, y: height - 6, 'text-anchor': 'middle' }, xCaption));
    const groups = [...new Set(shown.map(p => p.group || ''))];
    for (const p of shown) {
      const dot = el('circle', { cx: scale(p.x, xlo, xhi, left + 6, width - right - 6), cy: scale(p.y, ylo, yhi, height - bottom - 6, top + 6), r: 5,
        fill: palette[groups.indexOf(p.group || '') % palette.length], 'fill-opacity': 0.85 });
      dot.append(el('title', {}, `${p.label}: ${label(p.x)}, ${label(p.y)}`));
      svg.append(dot);
    }
    legend(svg, groups.filter(g => g));
    return svg;
  }

  /** Lines over time: series [{name, points: [{t: Date, y}]}]. */
  function lines(title, series, yCaption) {
    const all = series.flatMap(s => s.points).filter(p => isFinite(p.y));
    const svg = frame(title, series.map(s => `${s.name}: ${s.points.map(p => label(p.y)).join(', ')}`).join('; ') || 'No values yet.');
    if (!all.length) { svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No values yet')); return svg; }
    const [ylo, yhi] = extent(all.map(p => p.y), true), [tlo, thi] = extent(all.map(p => p.t.getTime()));
    yAxis(svg, ylo, yhi, yCaption);
    svg.append(el('line', { class: 'axis', x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
    [tlo, thi].forEach((t, i) => svg.append(el('text', { x: i ? width - right : left, y: height - bottom + 14, 'text-anchor': i ? 'end' : 'start' },
      new Date(t).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }))));
    series.forEach((s, i) => {
      const points = s.points.filter(p => isFinite(p.y)).sort((a, b) => a.t - b.t)
        .map(p => [scale(p.t.getTime(), tlo, thi, left + 6, width - right - 6), scale(p.y, ylo, yhi, height - bottom, top)]);
      const colour = palette[i % palette.length];
      if (points.length > 1) svg.append(el('polyline', { points: points.map(p => p.join(',')).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 }));
      for (const [x, y] of points) svg.append(el('circle', { cx: x, cy: y, r: 3.5, fill: colour }));
    });
    legend(svg, series.map(s => s.name));
    return svg;
  }

  function legend(svg, names) {
    names.slice(0, 8).forEach((name, i) => {
      svg.append(el('rect', { x: width - right - 110, y: top + i * 14, width: 10, height: 10, fill: palette[i % palette.length] }));
      svg.append(el('text', { x: width - right - 96, y: top + i * 14 + 9 }, String(name).slice(0, 16)));
    });
  }

  /** A chart in a figure with its caption. */
  const figure = (caption, svg) => App.h('figure', null, App.h('figcaption', null, caption), svg);

  return { bars, scatter, lines, figure, palette };
})();
