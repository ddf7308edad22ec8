// Child process of crash.test.js: writes forever in strict mode, printing
// each write after its promise resolved (= acknowledged = durable).
import { open } from 'cairndb';

const [dir, round] = process.argv.slice(2);
const db = await open(dir, { checkpointBytes: 64 << 10, segmentBytes: 128 << 10 });
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const id = `${round}-${i}`;
  if (i % 5 === 4) {
    const ops = [];
    for (let k = 0; k < 20; k++) ops.push({ coll: 'c', id: `${id}-${k}`, doc: { round, i, k, pad: 'p'.repeat(100) } });
    const vs = await db.putMany(ops);
    process.stdout.write(vs.map((v) => `${v.id} ${v.hash}\n`).join(''));
  } else {
    const v = await db.put('c', id, { round, i, pad: 'q'.repeat(300) });
    process.stdout.write(`${v.id} ${v.hash}\n`);
  }
}
