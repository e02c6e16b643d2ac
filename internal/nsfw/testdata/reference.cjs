// Reference classifier for the Go NSFW model tests: nsfwjs on the
// TensorFlow.js WASM backend, one thread.
//
// Usage: node reference.cjs MANIFEST [BENCH_RUNS]
//
// MANIFEST is a JSON array of {"name", "width", "height", "file"}, where
// file contains width*height*3 bytes of RGB pixels, row by row. The script
// prints one JSON object: "probabilities" maps each name to the five class
// probabilities in model order (Drawing, Hentai, Neutral, Porn, Sexy), and,
// when BENCH_RUNS is given, "ms_per_inference" is the mean time of that many
// inferences of the first image (preprocessing included) after one warm-up
// run, and "cpu_ms_per_inference" the CPU time of the process per inference.
"use strict";

// nsfwjs announces the model it loads with console.info; keep stdout for
// the JSON result.
console.info = (...args) => console.error(...args);

const fs = require("fs");
const tf = require("@tensorflow/tfjs");
const wasm = require("@tensorflow/tfjs-backend-wasm");
const nsfwjs = require("nsfwjs/core");
const { MobileNetV2MidModel } = require("nsfwjs/models/mobilenet_v2_mid");

async function main() {
  const [manifestPath, benchArg] = process.argv.slice(2);
  if (!manifestPath) {
    throw new Error("usage: node reference.cjs MANIFEST [BENCH_RUNS]");
  }

  wasm.setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const model = await nsfwjs.load("MobileNetV2Mid", {
    modelDefinitions: [MobileNetV2MidModel],
  });

  const result = { backend: tf.getBackend(), probabilities: {} };
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const tensors = manifest.map((item) => {
    const pixels = fs.readFileSync(item.file);
    if (pixels.length !== item.width * item.height * 3) {
      throw new Error(`${item.file}: expected ${item.width * item.height * 3} bytes, got ${pixels.length}`);
    }
    return tf.tensor3d(new Int32Array(pixels), [item.height, item.width, 3], "int32");
  });
  for (const [i, item] of manifest.entries()) {
    const probabilities = model.infer(tensors[i]);
    result.probabilities[item.name] = Array.from(await probabilities.data());
    probabilities.dispose();
  }

  const runs = Number(benchArg || 0);
  if (runs > 0 && tensors.length > 0) {
    const warm = model.infer(tensors[0]);
    await warm.data();
    warm.dispose();
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      const out = model.infer(tensors[0]);
      await out.data();
      out.dispose();
    }
    result.ms_per_inference = Number(process.hrtime.bigint() - start) / 1e6 / runs;
    const cpu = process.cpuUsage(cpuStart);
    result.cpu_ms_per_inference = (cpu.user + cpu.system) / 1e3 / runs;
  }
  tensors.forEach((t) => t.dispose());

  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
