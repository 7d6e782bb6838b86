// asimdns bench: the OpenTelemetry JS SDK as a peer of asimdns-exporter (bench/export_peer.sh).
//
// Records: the attribute set asimdns-exporter emits for a DNS Server 257 event, taken from one
// ASIM JSON line of the console exporter (template.json: JSON numbers become int attributes,
// booleans bool, strings string). A pool of POOL variants differs per record in the fields
// that vary in real traffic (client address and port, query name, transaction id, session
// GUID, record id, times), prepared before timing, so only the SDK's work is measured.
// Body, severity, resource and scope as asimdns-exporter writes them.
//
//   node peer.js encode [BATCHES=40] [WARMUP=5] [BATCH=8192]
//       build (LoggerProvider -> logger.emit into a collecting processor) and serialize
//       (ProtobufLogsSerializer.serializeRequest, the serializer OTLPLogExporter uses);
//       run it pinned to one core (taskset -c 0) for per-core figures.
//   node peer.js export URL [RECORDS=500000] [BATCH=8192] [QUEUE=32768] [none|gzip]
//       full path: BatchLogRecordProcessor -> OTLPLogExporter (protobuf over HTTP) -> URL
//       (a full /v1/logs URL). Emits in chunks and waits while the queue is near full, so no
//       record is dropped; time = first emit -> forceFlush() resolved. Record ids run 1..RECORDS.
//       The SDK streams each body chunked (no Content-Length) over a keep-alive connection:
//       the receiver must read chunked bodies and end every answer with a length.
// Prints one JSON line.
'use strict';
const fs = require('fs');
const path = require('path');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { ProtobufLogsSerializer } = require('@opentelemetry/otlp-transformer');
const { SeverityNumber } = require('@opentelemetry/api-logs');

const POOL = 16384;
const template = JSON.parse(fs.readFileSync(path.join(__dirname, 'template.json'), 'utf8').split('\n')[0]);
const BODY = 'DNS Server Event: Query response (ID: ' + template.EventOriginalType + ')';
const RESOURCE = resourceFromAttributes({ 'service.name': 'asimdns', 'host.name': template.DvcFQDN || 'dc01' });

// One attributes object per pool slot; the SDK copies attributes at emit time.
function makePool() {
  let x = 0x9e3779b9;
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const hex = (v, n) => v.toString(16).toUpperCase().padStart(n, '0');
  const pool = [];
  const t0 = Date.parse(template.EventStartTime);
  for (let i = 0; i < POOL; i++) {
    const a = Object.assign({}, template);
    const ip = `10.${rnd() % 256}.${rnd() % 256}.${1 + (rnd() % 254)}`;
    a.SrcIpAddr = a.Src = ip;
    a.SrcPortNumber = 1024 + (rnd() % 64000);
    a.DnsQuery = `host${rnd() % 5000}.zone${rnd() % 40}.example.com`;
    a.TransactionIdHex = (rnd() & 0xffff).toString(16);
    a.DnsSessionId = `{${hex(rnd(), 8)}-${hex(rnd() & 0xffff, 4)}-${hex(rnd() & 0xffff, 4)}-` +
      `${hex(rnd() & 0xffff, 4)}-${hex(rnd() & 0xffff, 4)}${hex(rnd(), 8)}}`;
    a.DnsNetworkDuration = rnd() % 200;
    const ms = t0 + i;
    a.EventStartTime = a.EventEndTime = new Date(ms).toISOString();
    a['asimdns.record_id'] = `587cbf928be46bda-${i + 1}`;
    pool.push({ attrs: a, ms });
  }
  return pool;
}

function newProvider(processor) {
  return new LoggerProvider({ resource: RESOURCE, processors: [processor] });
}

function emit(logger, p) {
  logger.emit({
    timestamp: p.ms,
    observedTimestamp: p.ms,
    severityNumber: SeverityNumber.INFO,
    severityText: 'Informational',
    body: BODY,
    attributes: p.attrs,
  });
}

function encode(batches, warmup, batch) {
  const pool = makePool();
  let sink = [];
  const collector = { onEmit(r) { sink.push(r); }, forceFlush: async () => {}, shutdown: async () => {} };
  const logger = newProvider(collector).getLogger('asimdns', '0.1.0');
  let tBuild = 0, tSer = 0, recs = 0, bytes = 0, k = 0;
  for (let it = 0; it < warmup + batches; it++) {
    sink = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) emit(logger, pool[k++ % POOL]);
    const t1 = process.hrtime.bigint();
    const buf = ProtobufLogsSerializer.serializeRequest(sink);
    const t2 = process.hrtime.bigint();
    if (it >= warmup) {
      tBuild += Number(t1 - t0) / 1e9; tSer += Number(t2 - t1) / 1e9; recs += batch; bytes += buf.length;
    }
  }
  return {
    mode: 'encode', batch, batches, attributes_per_record: Object.keys(template).length,
    bytes_per_record: +(bytes / recs).toFixed(1),
    build_rec_per_s: Math.round(recs / tBuild), serialize_rec_per_s: Math.round(recs / tSer),
    build_plus_serialize_rec_per_s: Math.round(recs / (tBuild + tSer)),
    rss_mib: +(process.memoryUsage().rss / 1048576).toFixed(1),
  };
}

async function exportPath(url, n, batch, queue, compression) {
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
  const pool = makePool();
  const exporter = new OTLPLogExporter({ url, compression, timeoutMillis: 60000 });
  const proc = new BatchLogRecordProcessor({
    exporter, maxExportBatchSize: batch, maxQueueSize: queue, scheduledDelayMillis: 200, exportTimeoutMillis: 60000,
  });
  const provider = newProvider(proc);
  const logger = provider.getLogger('asimdns', '0.1.0');
  const CHUNK = 1024;
  const tick = () => new Promise(r => setImmediate(r));
  // The processor's queue length: a private field, read only to avoid dropping records.
  const queued = () => (proc._finishedLogRecords ? proc._finishedLogRecords.length : 0);
  // Every record gets its own asimdns.record_id (as asimdns-exporter's do), so the receiver
  // can check that each of 1..n arrived; the SDK copies the attributes at emit time.
  const idPrefix = pool[0].attrs['asimdns.record_id'].replace(/-[0-9]+$/, '-');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + CHUNK);
    for (; i < end; i++) {
      const p = pool[i % POOL];
      p.attrs['asimdns.record_id'] = idPrefix + (i + 1);
      emit(logger, p);
    }
    await tick();
    while (queued() > queue - CHUNK) await tick();
  }
  await provider.forceFlush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await provider.shutdown();
  return {
    mode: 'export', records: n, batch, queue, compression, seconds: +secs.toFixed(3),
    rec_per_s: Math.round(n / secs), rss_mib: +(process.memoryUsage().rss / 1048576).toFixed(1),
  };
}

(async () => {
  const [mode, ...a] = process.argv.slice(2);
  let r;
  if (mode === 'encode') r = encode(+(a[0] || 40), +(a[1] || 5), +(a[2] || 8192));
  else if (mode === 'export') r = await exportPath(a[0], +(a[1] || 500000), +(a[2] || 8192), +(a[3] || 32768), a[4] || 'none');
  else { console.error('usage: node peer.js encode|export ...'); process.exit(2); }
  console.log(JSON.stringify(r));
})().catch(e => { console.error(e); process.exit(1); });
