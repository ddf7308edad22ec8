// The demo's spatial view: a 2-D canvas over the space "demo-points"
// (db.space('demo-points', { dims: 2 })). Points are drawn as of the
// time-travel slider's seq (spaces share the database's one clock); a click
// inserts a point; dragging a box runs s.bbox(min, max, { asOf }) and lists
// what it finds.
const WORLD = 1000; // coordinates run from 0 to WORLD - 1 on both axes
const SPACE = 'demo-points';

export async function setupSpatial(db, section, { onWrite, showError }) {
  const s = await db.space(SPACE, { dims: 2 });
  const canvas = document.createElement('canvas');
  canvas.id = 'space-canvas';
  canvas.width = 600;
  canvas.height = 360;
  const info = document.createElement('p');
  info.id = 'space-info';
  const results = document.createElement('ol');
  results.id = 'bbox-results';
  const random = document.createElement('button');
  random.id = 'space-random';
  random.textContent = '+ 10 random points';
  section.append(info, canvas, random, results);

  const ctx = canvas.getContext('2d');
  const toWorld = (px, py) => [
    Math.min(WORLD - 1, Math.max(0, Math.round((px / canvas.width) * WORLD))),
    Math.min(WORLD - 1, Math.max(0, Math.round((py / canvas.height) * WORLD))),
  ];
  const toCanvas = ([x, y]) => [(x / WORLD) * canvas.width, (y / WORLD) * canvas.height];
  let asOf;
  let points = [];
  let box = null; // { from: [px, py], to: [px, py] } while dragging or after
  let found = new Set();

  function paint() {
    ctx.fillStyle = '#fbfaf6';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const p of points) {
      const [cx, cy] = toCanvas(p.point);
      ctx.fillStyle = found.has(p.point.join(',')) ? '#c2410c' : '#2f3b52';
      ctx.beginPath();
      ctx.arc(cx, cy, 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (box) {
      ctx.strokeStyle = '#c2410c';
      ctx.setLineDash([5, 4]);
      ctx.strokeRect(box.from[0], box.from[1], box.to[0] - box.from[0], box.to[1] - box.from[1]);
      ctx.setLineDash([]);
    }
  }

  // Every live point as of `seq` (the slider).
  async function draw(seq) {
    asOf = seq;
    points = await s.bbox([0, 0], [WORLD - 1, WORLD - 1], { asOf });
    info.textContent = `space "${SPACE}": ${points.length} points as of seq ${asOf}. Click to add a point; drag a box to query it.`;
    if (box) await query();
    else paint();
  }

  async function query() {
    const [x0, y0] = toWorld(Math.min(box.from[0], box.to[0]), Math.min(box.from[1], box.to[1]));
    const [x1, y1] = toWorld(Math.max(box.from[0], box.to[0]), Math.max(box.from[1], box.to[1]));
    const hits = await s.bbox([x0, y0], [x1, y1], { asOf });
    found = new Set(hits.map((h) => h.point.join(',')));
    results.replaceChildren(
      ...hits.map((h) => {
        const li = document.createElement('li');
        li.textContent = `[${h.point.join(', ')}] seq ${h.seq}: ${JSON.stringify(h.data)}`;
        return li;
      }),
    );
    info.textContent = `bbox [${x0}, ${y0}] – [${x1}, ${y1}] as of seq ${asOf}: ${hits.length} of ${points.length} points`;
    paint();
  }

  async function insert(pairs) {
    await s.insertMany(pairs.map((point) => ({ point, data: { label: `p${point.join('-')}`, at: new Date().toISOString() } })));
    await onWrite();
  }

  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height];
  };
  let dragging = null;
  canvas.onpointerdown = (e) => {
    dragging = { from: at(e), to: at(e) };
    canvas.setPointerCapture(e.pointerId);
  };
  canvas.onpointermove = (e) => {
    if (!dragging) return;
    dragging.to = at(e);
    box = dragging;
    paint();
  };
  canvas.onpointerup = (e) => {
    if (!dragging) return;
    const d = dragging;
    dragging = null;
    d.to = at(e);
    const act = Math.hypot(d.to[0] - d.from[0], d.to[1] - d.from[1]) < 4
      ? () => insert([toWorld(...d.from)])
      : () => {
        box = d;
        return query();
      };
    act().catch(showError);
  };
  random.onclick = () => {
    const pairs = Array.from({ length: 10 }, () => [Math.floor(Math.random() * WORLD), Math.floor(Math.random() * WORLD)]);
    insert(pairs).catch(showError);
  };

  return { draw };
}
