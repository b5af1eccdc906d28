// The release's offline site: hash routes, data read from JSON shards (website/export.py writes them).
// No framework and no build step: plain ES modules, hand-written SVG charts, pdf.js (vendor/pdfjs) only to draw
// a source PDF's page on the report page.
const app = document.getElementById('app');
const cache = new Map();

// ---------------------------------------------------------------- data
function fnv1a(text) { // FNV-1a 32 bit over UTF-8 bytes: the bucket website/shards.py computes
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16).padStart(8, '0');
}
function shardPath(kind, id, depth) {
  const name = fnv1a(id).slice(0, depth);
  return name.length > 2 ? `data/${kind}/${name.slice(0, 2)}/${name}.json` : `data/${kind}/${name}.json`;
}
async function getJSON(path) {
  if (!cache.has(path)) {
    cache.set(path, fetch(path).then(r => { if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`); return r.json(); }));
  }
  return cache.get(path);
}
const overviewData = () => getJSON('data/overview.json');
const codesData = () => getJSON('data/codes.json');
async function record(kind, id) {
  const ov = await overviewData();
  const shard = await getJSON(shardPath(kind, id, ov.shards[kind]));
  return shard[id] || null;
}

// ---------------------------------------------------------------- helpers
function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
const fmtNum = v => (v === null || v === undefined) ? '' : (Number.isInteger(v) ? v.toLocaleString('en-US') : String(Math.round(v * 1000) / 1000));
const pct = v => (v === null || v === undefined) ? '—' : `${(v * 100).toFixed(1)}%`;
const bytes = n => n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
const link = (href, text) => `<a href="${esc(href)}">${esc(text)}</a>`;
const ext = url => url ? `<a href="${esc(url)}" rel="noreferrer noopener" target="_blank">${esc(url.length > 80 ? url.slice(0, 77) + '…' : url)}</a>` : '<span class="muted">—</span>';
function table(headers, rows, cls = '') {
  const head = headers.map(h => typeof h === 'object' ? `<th class="${h.cls || ''}">${h.html}</th>` : `<th>${esc(h)}</th>`).join('');
  return `<div class="scroll"><table class="${cls}"><thead><tr>${head}</tr></thead><tbody>${rows.map(r => `<tr>${r.join('')}</tr>`).join('')}</tbody></table></div>`;
}
const td = (v, cls = '') => `<td class="${cls}">${v}</td>`;
const num = v => `<td class="num">${esc(fmtNum(v))}</td>`;
const sourceHref = file => `../${file.split('/').map(encodeURIComponent).join('/')}`;

// small SVG charts: one line per series over years (values 0–1 unless max given)
function lineChart(series, { width = 360, height = 170, max = null, fmt = pct, caption = '', id = '' } = {}) {
  const years = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
  if (!years.length) return `<figure class="chart" id="${id}"><p class="muted">No data.</p><figcaption>${caption}</figcaption></figure>`;
  const vals = series.flatMap(s => s.points.map(p => p[1])).filter(v => v !== null);
  const top = max ?? Math.max(1e-9, ...vals);
  const L = 44, R = 22, T = 10, B = 24, W = width - L - R, H = height - T - B;
  const x = y => L + (years.length === 1 ? W / 2 : (years.indexOf(y) / (years.length - 1)) * W);
  const yv = v => T + H - (v / top) * H;
  const colors = ['#0b5cad', '#d9480f', '#2b8a3e', '#862e9c'];
  let svg = `<line x1="${L}" y1="${T + H}" x2="${L + W}" y2="${T + H}" stroke="#aab4bc"/><line x1="${L}" y1="${T}" x2="${L}" y2="${T + H}" stroke="#aab4bc"/>`;
  for (const f of [0, 0.5, 1]) svg += `<text x="${L - 4}" y="${yv(top * f) + 4}" text-anchor="end">${esc(fmt(top * f))}</text>`;
  years.forEach(y => { svg += `<text x="${x(y)}" y="${height - 6}" text-anchor="middle">${y}</text>`; });
  series.forEach((s, i) => {
    const pts = s.points.filter(p => p[1] !== null);
    const c = colors[i % colors.length];
    if (pts.length > 1) svg += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(p => `${x(p[0])},${yv(p[1])}`).join(' ')}"/>`;
    pts.forEach(p => { svg += `<circle cx="${x(p[0])}" cy="${yv(p[1])}" r="3.5" fill="${c}"><title>${esc(s.name)} ${p[0]}: ${esc(fmt(p[1]))}</title></circle>`; });
  });
  const legend = series.map((s, i) => `<span style="color:${colors[i % colors.length]}">■</span> ${esc(s.name)}`).join(' &nbsp; ');
  return `<figure class="chart" id="${id}"><svg width="${width}" height="${height}" role="img">${svg}</svg><figcaption>${legend}<br>${caption}</figcaption></figure>`;
}

// ---------------------------------------------------------------- overview
// The release's own files with their checksums: SHA256SUMS is written after the site (it lists the site too), so the
// browser reads it from the release folder; sizes are those known when the site was built (blank for the few small
// files the release writes after it).
async function releaseFiles(ov) {
  const known = Object.fromEntries(ov.downloads.map(d => [d.name, d]));
  if (!ov.release_root) return ov.downloads;
  const r = await fetch(ov.release_root + 'SHA256SUMS');
  if (!r.ok) return ov.downloads;
  const listed = (await r.text()).split('\n').map(l => l.split('  ')).filter(x => x.length === 2 && !x[1].includes('/'));
  const out = listed.map(([sha256, name]) => ({ name, sha256, bytes: known[name]?.bytes ?? null }));
  out.push({ name: 'SHA256SUMS', sha256: '(this list)', bytes: null });
  return out;
}
async function renderOverview() {
  const [ov, codes] = await Promise.all([overviewData(), codesData()]);
  const c = ov.counts;
  const cov = ov.coverage;
  const known = Object.fromEntries(cov.provinces.map(p => [p.province_code, p]));
  const provs = [...new Map(cov.cells.map(x => [x.province_code, x.province])).entries()];
  const cell = Object.fromEntries(cov.cells.map(x => [`${x.province_code}|${x.year}`, x]));
  const covRows = provs.map(([code, name]) => {
    const k = known[code] || {};
    return [td(esc(name)), num(k.bodies_known), num(k.portals_known), ...cov.years.map(y => {
      const x = cell[`${code}|${y}`];
      const share = x && k.bodies_known ? x.bodies_reporting / k.bodies_known : null;
      const bg = share === null ? '' : `background: rgba(11,92,173,${(0.08 + 0.5 * share).toFixed(2)})`;
      return `<td class="num heat" style="${bg}" title="${x ? `${x.reports} reports from ${x.bodies_reporting} of ${k.bodies_known} bodies` : 'none found'}">${x ? x.reports : ''}</td>`;
    })];
  });
  const rate = m => ({ name: m, points: ov.headline.rates.filter(r => r.metric === m).map(r => [r.year, r.pooled]) });
  const metricLabel = Object.fromEntries((codes.metrics || []).map(m => [m.code, `${m.label_zh} · ${m.label_en}`]));
  const rates = ['grant_rate', 'refusal_rate', 'not_held_rate'].map(m => ({ ...rate(m), name: metricLabel[m] || m }));
  const tl = ov.headline.timeliness.map(t => [t.year, t.n_known ? t.on_time / t.n_known : null]);
  const idf = ov.headline.identities.map(t => [t.year, t.reports_checked ? t.reports_failed / t.reports_checked : null]);
  const files = await releaseFiles(ov);
  const dl = files.map(d => [td(ov.release_root ? `<a href="${ov.release_root}${encodeURIComponent(d.name)}" download>${esc(d.name)}</a>` : esc(d.name)), num(d.bytes), td(d.bytes === null ? '' : esc(bytes(d.bytes))), td(`<span class="hash">${esc(d.sha256)}</span>`)]);
  dl.push(...(ov.folders || []).map(f => [td(esc(f.name)), num(f.bytes), td(esc(bytes(f.bytes))), td(`<span class="muted">${fmtNum(f.files)} files, each listed in SHA256SUMS</span>`)]));
  const citation = ov.release_root ? await fetch(ov.release_root + 'CITATION.cff').then(r => r.ok ? r.text() : ov.citation) : ov.citation;
  app.innerHTML = `
  <h1>政府信息公开工作年度报告数据集 · Government information-disclosure annual reports</h1>
  <p class="sub">Release <b id="release-version">${esc(ov.release)}</b>. Every number of the three statistical tables that Chinese
  government bodies print in their annual reports on information disclosure (条例 art. 50), read from the documents
  on their portals, with where each number was printed. Search a body or a place above (汉字 or pinyin).</p>
  <div class="cards">
    <div class="card"><b id="count-reports">${fmtNum(c.reports)}</b>reports 报告</div>
    <div class="card"><b id="count-bodies">${fmtNum(c.agencies)}</b>bodies 机构</div>
    <div class="card"><b id="count-facts">${fmtNum(c.facts)}</b>numbers 数字</div>
    <div class="card"><b>${fmtNum(c.documents)}</b>documents 文件</div>
    <div class="card"><b>${fmtNum((ov.portals || []).reduce((a, p) => a + p.n, 0))}</b>portals 门户
      <br><small class="muted">${(ov.portals || []).map(p => `${esc(p.verdict)} ${p.n}`).join(' · ')}</small></div>
  </div>
  <h2>Coverage 覆盖 · reports found by province and year</h2>
  <p class="sub">Cells: reports found; shade: share of the province's known bodies (bodies with any report in this release) reporting that year. Portals: portals whose documents gave the province's reports.</p>
  ${table(['Province 省', { html: 'Bodies known', cls: 'num' }, { html: 'Portals', cls: 'num' }, ...cov.years.map(y => ({ html: y, cls: 'num' }))], covRows, 'coverage')}
  <h2>Headline indicators 主要指标</h2>
  <div class="charts">
    ${lineChart(rates, { caption: 'Pooled over reports: Σ numerators / Σ denominators (v_indicators, definitions in the metrics table).', id: 'chart-rates' })}
    ${lineChart([{ name: 'published by the deadline 按期发布', points: tl }], { caption: 'Share of reports with a known date published by the statutory deadline (v_timeliness).', id: 'chart-timeliness' })}
    ${lineChart([{ name: 'reports with a failed identity 校验未通过', points: idf }], { caption: 'Share of reports whose tables fail an accounting identity as printed (v_failed_checks).', id: 'chart-identities' })}
  </div>
  <h2>Downloads 下载</h2>
  <p class="sub">The release's files (checksums as in SHA256SUMS). ${ov.has_sources ? 'The archived source documents are under <code>sources/</code>, addressed by SHA-256.' : ''}</p>
  ${table(['File', { html: 'Bytes', cls: 'num' }, 'Size', 'SHA-256'], dl, 'downloads')}
  <h2>Cite 引用</h2>
  ${citation ? `<pre>${esc(citation)}</pre>` : '<p class="muted">No CITATION.cff in this release.</p>'}
  <h2>Query 查询</h2>
  <pre>duckdb xxgk.duckdb "SELECT agency, year, metric, metric_value FROM v_indicators WHERE metric = 'grant_rate' ORDER BY year"

python -c "import duckdb; print(duckdb.sql(\\"SELECT * FROM 'facts.parquet' LIMIT 5\\"))"</pre>
  <p class="sub">Every table, view and column is described in the ${link('#/dictionary', 'dictionary')}; identity checks in ${link('#/validation', 'validation')}.</p>`;
}

// ---------------------------------------------------------------- body
async function renderBody(id) {
  const [b, codes] = await Promise.all([record('bodies', id), codesData()]);
  if (!b) { app.innerHTML = `<h1>Body not found</h1><p>No body <code>${esc(id)}</code> in this release.</p>`; return; }
  const a = b.body;
  const metricLabel = Object.fromEntries((codes.metrics || []).map(m => [m.code, m.label_zh]));
  const reports = b.reports || [];
  const ind = m => ({ name: `${metricLabel[m] || m}`, points: (b.indicators || []).filter(i => i.m === m).map(i => [i.y, i.v]) });
  const rateOf = (r, m) => (b.indicators || []).find(i => i.r === r.id && i.m === m);
  const repRows = reports.map(r => [
    td(link(`#/report/${r.id}`, r.year), 'year'), td(esc(r.format)), td(esc(r.scope)),
    `<td class="num granted">${esc(fmtNum(r.granted))}</td>`, `<td class="num processed">${esc(fmtNum(r.processed))}</td>`,
    td(pct(rateOf(r, 'grant_rate')?.v), 'num'), td(pct(rateOf(r, 'refusal_rate')?.v), 'num'),
    td(esc(r.published_on || '')), td(r.days_late === null ? `<span class="muted">${esc(r.timeliness_null_reason || '')}</span>` : `<span class="${r.days_late > 0 ? 'warn' : 'ok'}">${r.days_late > 0 ? `${r.days_late} days late` : 'on time'}</span> (${r.days_late})`),
    td(r.n_failed ? `<span class="tag fail">${r.n_failed}</span>` : '0', 'num'), td(esc(r.title || '')),
  ]);
  const docs = (b.documents || []).map(d => [td(link(`#/report/${d.report_id}`, d.year)), td(esc(d.media_type)), num(d.bytes),
    td(d.canonical ? 'canonical' : ''), td(ext(d.url)),
    td(d.source_file ? `<a class="source-file" href="${esc(sourceHref(d.source_file))}">${esc(d.source_file.split('/').pop().slice(0, 12))}…</a>` : '<span class="muted">not shipped</span>'),
    td(`<span class="hash">${esc(d.sha256)}</span>`)]);
  const checks = (list, cap) => list && list.length ? table(['Year', 'Identity', 'Numbers'], list.map(c => [td(link(`#/report/${c.r}`, c.y)), td(`<code>${esc(c.name)}</code>`), td(esc(c.detail))])) : `<p class="muted">${cap}</p>`;
  app.innerHTML = `
  <h1 id="body-name">${esc(a.name)}</h1>
  <p class="sub">${esc([b.province, a.region].filter(Boolean).join(' · '))} · ${esc(a.level)} · ${esc(a.kind)}${a.name_pinyin ? ` · ${esc(a.name_pinyin)}` : ''}${a.name_en ? ` · ${esc(a.name_en)}` : ''} · <code>${esc(a.agency_id)}</code></p>
  <dl class="kv"><dt>Years 年度</dt><dd id="body-years">${reports.map(r => r.year).join(', ')}</dd>
  <dt>Names printed 名称</dt><dd>${(b.names || []).map(n => `${esc(n.name)} (${n.first_year}–${n.last_year})`).join('; ')}</dd>
  <dt>Missing years 缺失年度</dt><dd id="body-missing">${(b.missing || []).length ? b.missing.map(m => `${m.year} (${esc(m.why)})`).join('; ') : '<span class="muted">none between its first and last report</span>'}</dd></dl>
  <h2>Reports 年度报告</h2>
  ${table(['Year', 'Format', 'Scope', { html: 'Granted 予以公开', cls: 'num' }, { html: 'Processed 总计', cls: 'num' }, { html: 'Grant rate', cls: 'num' }, { html: 'Refusal rate', cls: 'num' }, 'Published', 'Timeliness 时效', { html: 'Failed checks', cls: 'num' }, 'Title'], repRows, 'body-reports')}
  <div class="charts">${lineChart(['grant_rate', 'refusal_rate', 'not_held_rate'].map(ind), { caption: 'Indicators by year (v_indicators); a missing point is a null with its reason in the report page.', id: 'chart-body' })}</div>
  <h2>Failed checks 校验未通过</h2>${checks(b.failed_checks, 'Every accounting identity holds as printed.')}
  <h2>Text disagreements 正文与表格不一致</h2>${checks(b.text_disagreements, 'The narrative states no table quantity other than the table prints.')}
  <h2>Documents 文件</h2>
  ${table(['Year', 'Medium', { html: 'Bytes', cls: 'num' }, '', 'URL', 'Source file (in this release)', 'SHA-256'], docs, 'body-documents')}`;
}

// ---------------------------------------------------------------- report
function sectionLayout(codes, report, facts, section) {
  const sIdx = codes.sections.findIndex(s => s.code === section);
  const present = new Set();
  const cells = new Map();
  facts.s.forEach((s, i) => { if (s === sIdx) { cells.set(`${facts.r[i]}|${facts.c[i]}`, i); present.add(`r${facts.r[i]}`); present.add(`c${facts.c[i]}`); } });
  const inFormat = x => x.formats && x.formats.split(',').includes(report.format);
  const rows = codes.rows.map((r, i) => ({ ...r, i })).filter(r => r.section === section && (present.has(`r${r.i}`) || inFormat(r)));
  const cols = codes.columns.map((c, i) => ({ ...c, i })).filter(c => c.section === section && (present.has(`c${c.i}`) || inFormat(c)));
  return { rows, cols, cells };
}
function cellHtml(codes, facts, i, section, row, col) {
  if (i === undefined) return `<td class="none" data-section="${section}" data-row="${row.code}" data-col="${col.code}"></td>`;
  const v = facts.v[i];
  const text = facts.raw[i] ?? (v === null ? '' : String(v));
  const cls = ['cell', facts.d[i] ? 'derived' : '', v === null ? 'blank' : ''].join(' ');
  return `<td class="${cls}" data-fact="${i}" data-section="${section}" data-row="${row.code}" data-col="${col.code}" data-value="${v === null ? '' : v}" title="${esc(row.zh || row.code)} · ${esc(col.zh || col.code)}">${esc(text)}</td>`;
}
function reportTable(codes, report, facts, section) {
  let { rows, cols, cells } = sectionLayout(codes, report, facts, section);
  if (!rows.length) return '<p class="muted">Not printed in this report.</p>';
  if (section === 'reviews') { // printed as one row: 行政复议 | 行政诉讼 (未经复议直接起诉 | 复议后起诉), five columns each
    rows = rows.filter(r => r.kind !== 'heading'); // the heading 行政诉讼 is the group label of its two rows
    const groups = rows.map(r => (r.zh || r.code).split(' · '));
    const top = []; groups.forEach((g, k) => { if (k && groups[k - 1][0] === g[0]) top[top.length - 1].n++; else top.push({ label: g[0], n: 1, deep: g.length > 1 }); });
    const h1 = top.map(t => `<th colspan="${t.n * cols.length}" rowspan="${t.deep ? 1 : 2}">${esc(t.label)}</th>`).join('');
    const h2 = groups.filter(g => g.length > 1).map(g => `<th colspan="${cols.length}">${esc(g[1])}</th>`).join('');
    const h3 = rows.map(() => cols.map(c => `<th class="num">${esc(c.zh || c.code)}</th>`).join('')).join('');
    const data = rows.map(r => cols.map(c => cellHtml(codes, facts, cells.get(`${r.i}|${c.i}`), section, r, c)).join('')).join('');
    return `<div class="scroll"><table class="report" data-section="${section}"><thead><tr>${h1}</tr><tr>${h2}</tr><tr>${h3}</tr></thead><tbody><tr>${data}</tr></tbody></table></div>`;
  }
  let head = `<tr><th rowspan="${section === 'applications' ? 2 : 1}"></th>`;
  let head2 = '';
  if (section === 'applications') { // 申请人情况: 自然人 | 法人或其他组织 (five) | 总计
    const legal = cols.filter(c => !['natural_person', 'total'].includes(c.code));
    cols.forEach(c => { if (c.code === 'natural_person' || c.code === 'total') head += `<th rowspan="2" class="num">${esc(c.zh || c.code)}</th>`; else if (c === legal[0]) head += `<th colspan="${legal.length}">法人或其他组织</th>`; });
    head2 = `<tr>${legal.map(c => `<th class="num">${esc(c.zh || c.code)}</th>`).join('')}</tr>`;
  } else head += cols.map(c => `<th class="num">${esc(c.zh || c.code)}</th>`).join('');
  head += '</tr>';
  const body = rows.map(r => r.kind === 'heading' ? `<tr class="heading"><th class="heading" colspan="${cols.length + 1}" title="${esc(r.en || '')}">${esc(r.zh || r.code)}</th></tr>` : `<tr><th class="rowlabel" title="${esc(r.en || '')}">${esc(r.zh || r.code)}</th>${cols.map(c => cellHtml(codes, facts, cells.get(`${r.i}|${c.i}`), section, r, c)).join('')}</tr>`).join('');
  return `<div class="scroll"><table class="report" data-section="${section}"><thead>${head}${head2}</thead><tbody>${body}</tbody></table></div>`;
}

let pdfjs = null;
async function drawSource(container, doc, facts, i) {
  const page = facts.p[i], bb = facts.bb[i];
  if (!doc || !doc.source_file || !/pdf/.test(doc.media_type || '') || !page) return;
  container.innerHTML = '<p class="muted">Drawing the source page…</p>';
  if (!pdfjs) {
    pdfjs = await import('./vendor/pdfjs/pdf.min.js');
    pdfjs.GlobalWorkerOptions.workerSrc = new URL('vendor/pdfjs/pdf.worker.min.js', document.baseURI).href;
  }
  const base = new URL('vendor/pdfjs/', document.baseURI).href;
  const pdf = await pdfjs.getDocument({ url: sourceHref(doc.source_file), cMapUrl: base + 'cmaps/', cMapPacked: true,
    standardFontDataUrl: base + 'standard_fonts/', wasmUrl: base + 'wasm/', isEvalSupported: false }).promise;
  const p = await pdf.getPage(page);
  const scale = Math.min(2, 600 / p.getViewport({ scale: 1 }).width);
  const vp = p.getViewport({ scale });
  const canvas = document.createElement('canvas');
  canvas.width = Math.floor(vp.width); canvas.height = Math.floor(vp.height);
  await p.render({ canvasContext: canvas.getContext('2d'), viewport: vp }).promise;
  const wrap = document.createElement('div');
  wrap.className = 'source-view';
  wrap.dataset.page = page;
  wrap.appendChild(canvas);
  if (bb) { // bbox in PDF points from the page's top-left: to user space (origin bottom-left of the view box), then viewport
    const [vx0, , , vy1] = p.view;
    const [x0, y0, x1, y1] = vp.convertToViewportRectangle([vx0 + bb[0], vy1 - bb[3], vx0 + bb[2], vy1 - bb[1]]);
    const o = document.createElement('div');
    o.className = 'outline';
    Object.assign(o.style, { left: `${Math.min(x0, x1) - 2}px`, top: `${Math.min(y0, y1) - 2}px`, width: `${Math.abs(x1 - x0)}px`, height: `${Math.abs(y1 - y0)}px` });
    wrap.appendChild(o);
  }
  container.innerHTML = '';
  container.appendChild(wrap);
  wrap.scrollIntoView({ block: 'nearest' });
}

function showProvenance(codes, rep, i) {
  const f = rep.facts, r = rep.report;
  const sha = f.sha[i] || r.canonical_sha256;
  const doc = (rep.documents || []).find(d => d.sha256 === sha);
  const row = codes.rows[f.r[i]], col = codes.columns[f.c[i]];
  const bb = f.bb[i];
  const panel = document.getElementById('provenance');
  panel.innerHTML = `<h3>${esc(row.zh || row.code)} · ${esc(col.zh || col.code)}</h3>
  <p class="sub">${esc(row.en || '')} — ${esc(col.en || '')}</p>
  <dl class="kv">
    <dt>Value 数字</dt><dd id="prov-value">${esc(f.v[i] === null ? 'null (printed blank)' : fmtNum(f.v[i]))}</dd>
    <dt>Printed 原文</dt><dd id="prov-raw">${esc(f.raw[i] ?? (f.v[i] === null ? '' : String(f.v[i])))}</dd>
    ${f.note[i] ? `<dt>Note 备注</dt><dd>${esc(f.note[i])}</dd>` : ''}
    ${f.d[i] ? '<dt>Derived</dt><dd>computed from the table, not printed</dd>' : ''}
    <dt>Document</dt><dd class="hash" id="prov-sha">${esc(sha)}</dd>
    <dt>Medium</dt><dd>${esc(doc?.media_type || '')}</dd>
    ${f.p[i] ? `<dt>Page 页</dt><dd id="prov-page">${f.p[i]}</dd>` : ''}
    ${f.t[i] ? `<dt>Table / row / cell</dt><dd id="prov-cell">${f.t[i]} / ${f.rn[i] ?? '—'} / ${f.cn[i] ?? '—'}</dd>` : ''}
    ${f.ln[i] ? `<dt>Line 行</dt><dd>${f.ln[i]}</dd>` : ''}
    ${bb ? `<dt>BBox (pt)</dt><dd id="prov-bbox">${bb.join(', ')}</dd>` : ''}
    ${f.ocr[i] !== null ? `<dt>OCR confidence</dt><dd>${f.ocr[i]}</dd>` : ''}
    <dt>URL</dt><dd>${ext(doc?.url)}</dd>
    <dt>Source file</dt><dd>${doc?.source_file ? `<a class="source-file" href="${esc(sourceHref(doc.source_file))}">${esc(doc.source_file)}</a>` : '<span class="muted">not shipped in this release</span>'}</dd>
  </dl><div id="source-page"></div>`;
  document.querySelectorAll('td.cell.selected').forEach(c => c.classList.remove('selected'));
  document.querySelector(`td.cell[data-fact="${i}"]`)?.classList.add('selected');
  drawSource(document.getElementById('source-page'), doc, f, i).catch(e => {
    document.getElementById('source-page').innerHTML = `<p class="warn">The source page could not be drawn: ${esc(e.message)}</p>`;
  });
}

async function renderReport(id) {
  const [rep, codes] = await Promise.all([record('reports', id), codesData()]);
  if (!rep) { app.innerHTML = `<h1>Report not found</h1><p>No report <code>${esc(id)}</code> in this release.</p>`; return; }
  const r = rep.report;
  const f = rep.facts || { s: [] };
  for (const k of ['s', 'r', 'c', 'v', 'raw', 'note', 'd', 'sha', 'p', 't', 'rn', 'cn', 'ln', 'bb', 'ocr']) f[k] = f[k] || new Array(f.s.length).fill(null); // all-null columns are shipped as null
  const find = (row, col) => { const ri = codes.rows.findIndex(x => x.section === 'applications' && x.code === row); const ci = codes.columns.findIndex(x => x.section === 'applications' && x.code === col); const k = f.r.findIndex((x, j) => x === ri && f.c[j] === ci); return k < 0 ? null : f.v[k]; };
  const metricLabel = Object.fromEntries((codes.metrics || []).map(m => [m.code, `${m.label_zh} · ${m.label_en}`]));
  const t = rep.timeliness;
  const sections = codes.sections.map(s => `<h2>${esc(s.zh || s.code)} <small class="muted">${esc(s.en || '')}</small></h2>${reportTable(codes, r, f, s.code)}`).join('');
  app.innerHTML = `
  <h1 id="report-title">${esc(r.title || `${r.agency} ${r.year}`)}</h1>
  <p class="sub">${r.agency_id ? link(`#/body/${r.agency_id}`, r.agency_name || r.agency) : esc(r.agency)} · ${esc([rep.province, rep.prefecture, rep.county].filter(Boolean).join(' · '))} · year <b id="report-year">${r.year}</b> · format ${esc(r.format)} · ${esc(r.scope)}</p>
  <div class="cards">
    <div class="card"><b id="report-granted">${esc(fmtNum(find('granted', 'total')))}</b>granted 予以公开</div>
    <div class="card"><b id="report-processed">${esc(fmtNum(find('processed_total', 'total')))}</b>processed 总计</div>
    <div class="card"><b>${rep.n_passed ?? 0} / ${rep.n_checks ?? 0}</b>identities hold 校验通过</div>
    <div class="card"><b>${t ? (t.days_late === null ? '—' : t.days_late) : '—'}</b>days after the deadline ${t && t.deadline ? esc(t.deadline) : ''}</div>
  </div>
  <div class="layout"><div>
  <p class="sub">Click a number to see where it was printed. Italic: derived, not printed; grey cells: not in this format's template.</p>
  ${sections}
  <h2>Indicators 指标</h2>
  ${table(['Metric', { html: 'Value', cls: 'num' }, { html: 'Numerator', cls: 'num' }, { html: 'Denominator', cls: 'num' }, 'Why null'], (rep.indicators || []).map(m => [td(esc(metricLabel[m.m] || m.m)), num(m.v), num(m.n), num(m.d), td(esc(m.why || ''))]))}
  <h2>Failed checks 校验未通过</h2>
  ${(rep.failed_checks || []).length ? table(['Identity', 'Numbers'], rep.failed_checks.map(c => [td(`<code>${esc(c.name)}</code>`), td(esc(c.detail))]), 'failed-checks') : '<p class="muted">Every identity holds as printed.</p>'}
  <h2>Problems 未能确定</h2>
  ${(rep.problems || []).length ? table(['Kind', 'Section', 'Row', 'Detail'], rep.problems.map(p => [td(esc(p.kind)), td(esc(p.section || '')), td(esc(p.row || '')), td(esc(p.detail))])) : '<p class="muted">None recorded.</p>'}
  <h2>Documents 文件</h2>
  ${table(['', 'Medium', { html: 'Bytes', cls: 'num' }, 'Agrees', 'URL', 'Source file', 'SHA-256'], (rep.documents || []).map(d => [td(d.canonical ? 'canonical' : ''), td(esc(d.media_type)), num(d.bytes), td(d.agrees === null ? '—' : d.agrees ? 'yes' : `<span class="warn">no (${d.facts_differing} differ)</span>`), td(ext(d.url)), td(d.source_file ? `<a class="source-file" href="${esc(sourceHref(d.source_file))}">open</a>` : '<span class="muted">not shipped</span>'), td(`<span class="hash" title="${esc(d.sha256)}">${esc(d.sha256.slice(0, 16))}…</span>`)]))}
  <dl class="kv"><dt>Published 发布</dt><dd>${esc(r.published_on || '')} (${esc(r.published_on_source || '')})</dd><dt>Index no. 索引号</dt><dd>${esc(r.index_no || '')}</dd><dt>Report id</dt><dd><code>${esc(r.report_id)}</code></dd></dl>
  </div><aside><div id="provenance"><p class="muted">Provenance 来源: click a number.</p></div></aside></div>`;
  app.querySelectorAll('td.cell').forEach(c => c.addEventListener('click', () => showProvenance(codes, rep, Number(c.dataset.fact))));
  const want = new URLSearchParams(location.hash.split('?')[1] || '').get('fact');
  if (want !== null) showProvenance(codes, rep, Number(want));
}

// ---------------------------------------------------------------- place, dictionary, validation
async function renderPlace(code) {
  const place = await record('places', code);
  if (!place) { app.innerHTML = `<h1>Place not found</h1><p>No body of <code>${esc(code)}</code> in this release.</p>`; return; }
  app.innerHTML = `<h1>${esc(place.full_name || place.name)}</h1><p class="sub">${esc(place.province || '')} · ${esc(place.level)} · <code>${esc(code)}</code></p>
  ${table(['Body 机构', { html: 'Reports', cls: 'num' }, 'Years'], place.bodies.map(b => [td(link(`#/body/${b[0]}`, b[1])), td(esc(b[2]), 'num'), td(`${esc(b[3])}–${esc(b[4])}`)]), 'place-bodies')}`;
}

async function renderDictionary() {
  const d = await getJSON('data/dictionary.json');
  const codeTable = (title, list, cols) => `<h3>${esc(title)}</h3>${table(cols, list.map(x => cols.map(k => td(esc(x[k] ?? '')))))}`;
  const c = d.codes;
  app.innerHTML = `<h1>Dictionary 数据字典</h1><p class="sub">Every table and view of <code>xxgk.duckdb</code> (the same as the Parquet files), from the comments the warehouse declares; then every code with its Chinese and English labels.</p>
  ${d.relations.map(r => `<h2 id="rel-${esc(r.name)}">${esc(r.name)} <small class="muted">${esc(r.kind)}</small></h2><p>${esc(r.comment || '')}</p>${table(['Column', 'Type', 'Meaning'], r.columns.map(x => [td(`<code>${esc(x.name)}</code>`), td(`<code>${esc(x.type)}</code>`), td(esc(x.comment || ''))]))}`).join('')}
  <h2>Codes 代码</h2>
  ${codeTable('Sections 表', c.sections, ['code', 'zh', 'en'])}
  ${codeTable('Rows 行', c.rows, ['section', 'code', 'zh', 'en', 'formats'])}
  ${codeTable('Columns 列', c.columns, ['section', 'code', 'zh', 'en', 'formats'])}
  ${c.metrics ? codeTable('Metrics 指标', c.metrics, ['code', 'label_zh', 'label_en', 'formula', 'unit', 'caveats']) : ''}
  ${c.levels ? codeTable('Levels 层级', c.levels, ['code', 'label_zh', 'label_en']) : ''}
  ${c.kinds ? codeTable('Kinds of body 机构类型', c.kinds, ['code', 'label_zh', 'label_en']) : ''}
  ${c.formats ? codeTable('Formats 格式', c.formats, ['code', 'description']) : ''}
  ${c.scopes ? codeTable('Scopes 范围', c.scopes, ['code', 'description']) : ''}`;
}

async function renderValidation() {
  const v = await getJSON('data/validation.json');
  const rate = rows => table(['', { html: 'Checks', cls: 'num' }, { html: 'Passed', cls: 'num' }, { html: 'Pass rate', cls: 'num' }, { html: 'Reports', cls: 'num' }, { html: 'Reports failing', cls: 'num' }],
    rows.map(x => [td(esc(x.key)), num(x.checks), num(x.passed), td(pct(x.checks ? x.passed / x.checks : null), 'num'), num(x.reports), num(x.reports_failing)]));
  app.innerHTML = `<h1>Validation 校验</h1><p class="sub">Accounting identities of the printed tables (a failure is a finding about the source: no number is changed), then what the parser could not read with certainty.</p>
  <h2>Identities by format 按格式</h2>${rate(v.by_format)}
  <h2>Identities by year 按年度</h2>${rate(v.by_year)}
  <h2>Identities by province 按省</h2>${rate(v.by_province)}
  <h2>Narrative against tables by year 正文与表格</h2>${rate(v.text_by_year)}
  <h2>Identities 校验项</h2>${table(['Identity', { html: 'Checks', cls: 'num' }, { html: 'Failed', cls: 'num' }], v.by_identity.map(x => [td(`<code>${esc(x.name)}</code>`), num(x.checks), num(x.failed)]))}
  <h2>Problems by kind 问题类型</h2>${table(['Kind', 'Section', { html: 'Problems', cls: 'num' }, { html: 'Reports', cls: 'num' }], v.problems_by_kind.map(x => [td(esc(x.kind)), td(esc(x.section)), num(x.n), num(x.reports)]), 'problems')}
  <h2>Documents by outcome 文件解析结果</h2>${table(['Outcome', 'Medium', { html: 'Documents', cls: 'num' }], v.documents_by_outcome.map(x => [td(esc(x.outcome)), td(esc(x.media_type)), num(x.n)]))}`;
}

// ---------------------------------------------------------------- search
const norm = s => s.replace(/[\s'·\-]+/g, '').toLowerCase();
async function search(q) {
  const key = norm(q);
  if (!key) return [];
  const idx = await getJSON('data/search/index.json');
  const splits = new Set(idx.splits), prefixes = new Set(idx.prefixes);
  let p = key.slice(0, 1);
  while (splits.has(p) && key.length > p.length) p = key.slice(0, p.length + 1);
  if (!prefixes.has(p)) return [];
  const file = await getJSON(`data/search/${fnv1a(p)}.json`);
  const seen = new Set(), out = [];
  for (const [k, type, id, label, ctx] of file[p] || []) {
    if (!k.startsWith(key) || seen.has(type + id)) continue;
    seen.add(type + id);
    out.push({ type, id, label, ctx });
    if (out.length >= 50) break;
  }
  return out;
}
const box = document.getElementById('search-results');
const input = document.getElementById('search-input');
let searchSeq = 0;
async function showSearch() {
  const seq = ++searchSeq;
  const q = input.value;
  if (!norm(q)) { box.hidden = true; return; }
  const hits = await search(q);
  if (seq !== searchSeq) return;
  box.hidden = false;
  const more = hits.length >= 50 ? '<p>More match: add a place to the name (e.g. 乐清市统计局).</p>' : '';
  box.innerHTML = hits.length ? more + hits.map(h => `<a class="hit" href="#/${h.type === 'b' ? 'body' : 'place'}/${encodeURIComponent(h.id)}">${h.type === 'p' ? '[地区] ' : ''}${esc(h.label)}<small>${esc(h.ctx)}</small></a>`).join('') : '<p>No body or place starts so.</p>';
}
input.addEventListener('input', () => showSearch().catch(fail));
document.getElementById('search-form').addEventListener('submit', e => { e.preventDefault(); showSearch().catch(fail); });
box.addEventListener('click', () => { box.hidden = true; });

// ---------------------------------------------------------------- router
function fail(e) { app.innerHTML = `<h1>Could not load</h1><p class="warn">${esc(e.message)}</p>`; }
const routes = [
  [/^#\/body\/([^?]+)/, m => renderBody(decodeURIComponent(m[1]))],
  [/^#\/report\/([^?]+)/, m => renderReport(decodeURIComponent(m[1]))],
  [/^#\/place\/([^?]+)/, m => renderPlace(decodeURIComponent(m[1]))],
  [/^#\/dictionary/, () => renderDictionary()],
  [/^#\/validation/, () => renderValidation()],
  [/^/, () => renderOverview()],
];
async function route() {
  document.body.dataset.ready = 'false';
  const h = location.hash || '#/';
  for (const [re, fn] of routes) {
    const m = h.match(re);
    if (m) { try { await fn(m); } catch (e) { fail(e); } break; }
  }
  window.scrollTo(0, 0);
  document.body.dataset.ready = 'true';
}
window.addEventListener('hashchange', route);
route();
