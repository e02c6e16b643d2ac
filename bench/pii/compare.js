// compare.js runs one npm PII library over a JSONL file of {"id", "text"}
// documents, writes its predictions as {"id", "entities": [{"type",
// "begin", "end"}]} with code point offsets, and prints its CPU and wall
// time for the detection calls alone as one JSON object.
//
// usage: node compare.js redact-pii|openredaction INPUT.jsonl OUTPUT.jsonl
'use strict';

const fs = require('fs');

const [library, inputPath, outputPath] = process.argv.slice(2);
const docs = fs.readFileSync(inputPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

// toCodePoints converts a UTF-16 offset of text into a code point offset.
function toCodePoints(text, offset) {
  let points = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) points++;
  }
  return points;
}

// redact-pii returns only the redacted text, with each value replaced by
// an upper-case label. spansOfRedaction finds the replaced spans by
// matching the text between labels against the original in order.
const redactPIILabels = /\b(?:PERSON_NAME|EMAIL_ADDRESS|PHONE_NUMBER|STREET_ADDRESS|ZIPCODE|CREDIT_CARD_NUMBER|US_SOCIAL_SECURITY_NUMBER|IP_ADDRESS|URL|DIGITS|USERNAME|PASSWORD|CREDENTIALS|[A-Z]+(?:_[A-Z]+)+)\b/g;

function spansOfRedaction(original, redacted) {
  const parts = [];
  let last = 0;
  for (const m of redacted.matchAll(redactPIILabels)) {
    parts.push({ literal: redacted.slice(last, m.index) });
    parts.push({ label: m[0] });
    last = m.index + m[0].length;
  }
  parts.push({ literal: redacted.slice(last) });

  const spans = [];
  let pos = 0;
  let open = -1;
  for (const part of parts) {
    if (part.label !== undefined) {
      if (open < 0) open = pos;
      continue;
    }
    if (part.literal === '') continue;
    let at = pos;
    if (open >= 0) {
      at = original.indexOf(part.literal, open + 1);
      if (at < 0) at = original.length;
      spans.push([open, at]);
      open = -1;
    }
    pos = at + part.literal.length;
  }
  if (open >= 0) spans.push([open, original.length]);
  return spans.filter(([b, e]) => e > b);
}

function load() {
  if (library === 'redact-pii') {
    const { SyncRedactor } = require('redact-pii');
    const redactor = new SyncRedactor();
    return {
      run: (text) => redactor.redact(text),
      spans: (text, result) => spansOfRedaction(text, result).map(([b, e]) => ({ type: 'PII', b, e })),
    };
  }
  if (library === 'openredaction') {
    const { OpenRedaction } = require('@openredaction/openredaction');
    const shield = new OpenRedaction();
    return {
      run: (text) => shield.detect(text),
      spans: (text, result) => result.detections.map((d) => ({ type: d.type, b: d.position[0], e: d.position[1] })),
    };
  }
  throw new Error(`unknown library ${library}: use redact-pii or openredaction`);
}

const engine = load();
for (const doc of docs.slice(0, 20)) engine.run(doc.text); // warm up the JIT

const results = new Array(docs.length);
const cpuStart = process.cpuUsage();
const wallStart = process.hrtime.bigint();
for (let i = 0; i < docs.length; i++) results[i] = engine.run(docs[i].text);
const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
const cpu = process.cpuUsage(cpuStart);

const out = fs.createWriteStream(outputPath);
let bytes = 0;
for (let i = 0; i < docs.length; i++) {
  const text = docs[i].text;
  bytes += Buffer.byteLength(text, 'utf8');
  const entities = engine.spans(text, results[i]).map((s) => ({
    type: s.type,
    begin: toCodePoints(text, s.b),
    end: toCodePoints(text, s.e),
  }));
  out.write(JSON.stringify({ id: docs[i].id, entities }) + '\n');
}
out.end();
console.log(JSON.stringify({ library, bytes, cpu_seconds: (cpu.user + cpu.system) / 1e6, wall_seconds: wall }));
