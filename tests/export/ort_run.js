// Runs an ONNX model under ONNX Runtime (onnxruntime-node) over rows of the exported C's
// `in` layout and prints the outputs (%.9g-like, tab-separated), one line per row.
//   node ort_run.js MODULES_DIR MODEL.onnx SPEC INPUTS
// SPEC: name:kind:width,... in input order (kind f: float32 [N, width]; i: int64 [N, 1]).
const path = require('path');
const fs = require('fs');
const ort = require(path.join(process.argv[2], 'node_modules', 'onnxruntime-node'));

async function main() {
  const [, , , model, spec, inputs] = process.argv;
  const ins = spec.split(',').map((s) => {
    const [name, kind, width] = s.split(':');
    return { name, kind, width: Number(width) };
  });
  const rows = fs.readFileSync(inputs, 'utf8').trim().split('\n')
    .map((l) => l.split('\t').map(Number));
  const N = rows.length;
  const feeds = {};
  let off = 0;
  for (const inp of ins) {
    const data = inp.kind === 'i' ? new BigInt64Array(N * inp.width)
                                  : new Float32Array(N * inp.width);
    for (let r = 0; r < N; r++)
      for (let j = 0; j < inp.width; j++) {
        const v = rows[r][off + j];
        data[r * inp.width + j] = inp.kind === 'i' ? BigInt(v) : v;
      }
    feeds[inp.name] = new ort.Tensor(inp.kind === 'i' ? 'int64' : 'float32', data,
                                     [N, inp.width]);
    off += inp.width;
  }
  const session = await ort.InferenceSession.create(model);
  const result = await session.run(feeds);
  const out = result[session.outputNames[0]];
  const W = out.dims[1];
  const lines = [];
  for (let r = 0; r < N; r++) {
    const vals = [];
    for (let k = 0; k < W; k++)
      vals.push(Number(out.data[r * W + k].toPrecision(9)).toString());
    lines.push(vals.join('\t'));
  }
  process.stdout.write(lines.join('\n') + '\n');
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
