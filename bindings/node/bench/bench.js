// Node-side overhead per forward: N sequential forwards of the bundled
// MobileNetV2 on one photo, after warm-up. Compare with bench/bench_cpp.cc.
// Usage: node bench/bench.js [N=50] [photo]
'use strict';
const path = require('node:path');
const { ClassificationModule, MOBILENET_V2 } = require('..');

async function main() {
  const n = Number(process.argv[2] || 50);
  const image = process.argv[3] || path.resolve(__dirname, '../../../data/photos/skimage_chelsea.png');
  const module = new ClassificationModule();
  await module.load(MOBILENET_V2);
  for (let i = 0; i < 5; ++i) await module.forward(image);
  const times = [];
  for (let i = 0; i < n; ++i) {
    const t = process.hrtime.bigint();
    await module.forward(image);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  module.delete();
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / n;
  console.log(`node: ${n} forwards, mean ${mean.toFixed(2)} ms, median ${times[n >> 1].toFixed(2)} ms, min ${times[0].toFixed(2)} ms`);
}
main().catch((e) => { console.error(e); process.exit(1); });
