#!/usr/bin/env node
/*
 * Drive independent Verifiable Credential implementations for lerkit's interop
 * tests and benchmarks: Digital Bazaar's @digitalbazaar/vc stack and the Digital
 * Credentials Consortium's @digitalcredentials/verifier-core.
 *
 *   node interop/peer.mjs < request.json > response.json
 *
 * Request (JSON on stdin):
 *   {
 *     "contexts_file": "/path/contexts.json",  // {url: context document}, written by
 *                                               // the Python side from lerkit's pinned store
 *     "schemas": {url: JSON Schema},            // optional, for verifier-core's schema check
 *     "now": "2025-01-01T00:00:00Z",           // optional clock for date checks
 *     "tasks": [
 *       {"name": "any label, echoed back", "op": "issue", "peer": "digitalbazaar",
 *        "suite": "eddsa-rdfc-2022" | "Ed25519Signature2020",
 *        "seed": "<64 hex chars>", "created": "2025-01-01T00:00:00Z",
 *        "credentials": [...], "context_overrides": {url: document},
 *        "tamper": {"path": ["credentialSubject", "achievement", "name"], "value": "x"}},
 *       {"op": "verify", "peer": "digitalbazaar" | "verifier-core",
 *        "credentials": [...], "context_overrides": {url: document},
 *        "warmup": 0}  // verify the first N once, untimed, before the timed loop
 *     ]
 *   }
 *
 * Response (JSON on stdout): {"versions", "node", "startup_seconds", "blocked", "tasks": [
 *   {"name", "op", "peer", "seconds", "results": [...], "blocked"}]}, the tasks in
 * request order; "blocked" lists the URLs refused (per task, and for the whole run). A
 * task that failed as a whole has "error" instead of "results". "seconds" is the wall
 * time of the task's loop inside this process (Node start-up, module loading and the
 * warm-up excluded). A verify task returns {"verified", "error"} per credential
 * (verifier-core: also "signature" and its step log). An issue task
 * returns, per credential, the signed credential, the peer's own verification of it and,
 * with "tamper", the tampered copy and the peer's verification of that.
 *
 * Offline by construction: JSON-LD documents come only from the contexts file (plus
 * per-task overrides) and from did:key resolution; every other URL throws and is
 * listed under "blocked". Global fetch is replaced and outgoing sockets are refused,
 * so nothing in these libraries can reach the network even on a path that bypasses
 * the document loader (verifier-core's built-in loader, its JSON Schema check).
 */
import {readFileSync, writeSync} from 'node:fs';
import net from 'node:net';
import {performance} from 'node:perf_hooks';

const t0 = performance.now();
const blocked = [];
let taskBlocked = [];
function refuse(url) {
  blocked.push(url);
  taskBlocked.push(url);
}

// Keep stdout for the one JSON response: libraries that log (verifier-core's schema
// check does) write to stderr instead.
console.log = console.error;
console.info = console.error;
console.warn = console.error;

// --- no network --------------------------------------------------------------------
net.Socket.prototype.connect = function refuseConnect() {
  throw new Error('interop peer: outgoing network connections are disabled');
};

const request = JSON.parse(readFileSync(0, 'utf8'));
const baseContexts = request.contexts_file ?
  JSON.parse(readFileSync(request.contexts_file, 'utf8')) : {};
const schemas = request.schemas || {};
const now = request.now ? new Date(request.now) : undefined;

globalThis.fetch = async function offlineFetch(input) {
  const url = typeof input === 'string' ? input : (input?.url ?? String(input));
  const body = Object.hasOwn(baseContexts, url) ? baseContexts[url] :
    Object.hasOwn(schemas, url) ? schemas[url] : undefined;
  if(body === undefined) {
    refuse(url);
    throw new TypeError(`interop peer: fetch of ${url} refused (offline)`);
  }
  return new Response(JSON.stringify(body), {
    status: 200, headers: {'content-type': 'application/json'}
  });
};

// --- Digital Bazaar stack ------------------------------------------------------------
const vc = await import('@digitalbazaar/vc');
const {DataIntegrityProof} = await import('@digitalbazaar/data-integrity');
const {cryptosuite: eddsaRdfc2022} =
  await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
const {Ed25519Signature2020} = await import('@digitalbazaar/ed25519-signature-2020');
const {Ed25519VerificationKey2020} =
  await import('@digitalbazaar/ed25519-verification-key-2020');
const {driver: didKeyDriverFactory} = await import('@digitalbazaar/did-method-key');

const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

function makeLoader(overrides = {}) {
  return async function documentLoader(url) {
    if(url.startsWith('did:key:')) {
      const document = await didKeyDriver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    const document = Object.hasOwn(overrides, url) ? overrides[url] :
      Object.hasOwn(baseContexts, url) ? baseContexts[url] : undefined;
    if(document === undefined) {
      refuse(url);
      throw new Error(`interop peer: refusing to load ${url} (offline: only pinned ` +
        'contexts and did:key are served)');
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

const verifySuites = () => [
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  new Ed25519Signature2020()
];

function describeError(error) {
  if(!error) {
    return null;
  }
  const parts = [];
  const visit = (e, depth) => {
    if(!e || depth > 4) {
      return;
    }
    if(e.message) {
      const event = e.details?.event;
      parts.push(event ? `${e.message} (${event.code}: ${event.message} ` +
        `${JSON.stringify(event.details ?? {}).slice(0, 300)})` : e.message);
    }
    for(const inner of e.errors || []) {
      visit(inner, depth + 1);
    }
    if(e.cause) {
      visit(e.cause, depth + 1);
    }
    if(e.details?.cause) {
      visit(e.details.cause, depth + 1);
    }
  };
  visit(error, 0);
  return [...new Set(parts)].join(' | ').slice(0, 2000) || String(error);
}

async function dbVerify(credential, documentLoader) {
  try {
    const result = await vc.verifyCredential({
      credential, suite: verifySuites(), documentLoader, now
    });
    return {verified: result.verified === true, error: describeError(result.error)};
  } catch(error) {
    return {verified: false, error: describeError(error)};
  }
}

function hexToBytes(hex) {
  if(!/^[0-9a-fA-F]{64}$/.test(hex || '')) {
    throw new TypeError('"seed" must be 32 bytes as 64 hex characters');
  }
  return Uint8Array.from(hex.match(/../g).map(b => parseInt(b, 16)));
}

async function signingSuite(task) {
  const seed = hexToBytes(task.seed);
  const date = task.created ? new Date(task.created) : undefined;
  if(task.suite === 'eddsa-rdfc-2022') {
    const key = await Ed25519Multikey.generate({seed});
    const did = `did:key:${key.publicKeyMultibase}`;
    key.controller = did;
    key.id = `${did}#${key.publicKeyMultibase}`;
    return {did, suite: new DataIntegrityProof({
      signer: key.signer(), cryptosuite: eddsaRdfc2022, date
    })};
  }
  if(task.suite === 'Ed25519Signature2020') {
    const key = await Ed25519VerificationKey2020.generate({seed});
    const did = `did:key:${key.publicKeyMultibase}`;
    key.controller = did;
    key.id = `${did}#${key.publicKeyMultibase}`;
    return {did, suite: new Ed25519Signature2020({key, date})};
  }
  throw new TypeError(`unknown suite ${task.suite}`);
}

function tampered(credential, {path, value}) {
  const copy = structuredClone(credential);
  let node = copy;
  for(const step of path.slice(0, -1)) {
    node = node[step];
  }
  node[path[path.length - 1]] = value;
  return copy;
}

async function dbIssue(task) {
  const documentLoader = makeLoader(task.context_overrides);
  const results = [];
  for(const unsigned of task.credentials) {
    const entry = {};
    try {
      // a fresh suite per credential: suites keep per-document state
      const {did, suite} = await signingSuite(task);
      entry.did = did;
      entry.credential = await vc.issue({
        credential: structuredClone(unsigned), suite, documentLoader, now
      });
    } catch(error) {
      entry.error = describeError(error);
      results.push(entry);
      continue;
    }
    entry.self_verify = await dbVerify(entry.credential, documentLoader);
    if(task.tamper) {
      entry.tampered = tampered(entry.credential, task.tamper);
      entry.tampered_self_verify = await dbVerify(entry.tampered, documentLoader);
    }
    results.push(entry);
  }
  return results;
}

async function dbVerifyAll(task) {
  const documentLoader = makeLoader(task.context_overrides);
  const results = [];
  for(const credential of task.credentials) {
    results.push(await dbVerify(credential, documentLoader));
  }
  return results;
}

// --- Digital Credentials Consortium verifier-core ----------------------------------
let verifierCore;

function summarizeVerifierCore(response) {
  if(response.errors) {
    return {
      verified: false,
      signature: false,
      error: response.errors.map(e => `${e.name}: ${e.message}` +
        (e.stackTrace ? ` (${describeError(e.stackTrace)})` : '')).join(' | ')
    };
  }
  const log = Object.fromEntries((response.log || []).map(step => [step.id, step]));
  const signature = log.valid_signature?.valid === true;
  const expiration = log.expiration ? log.expiration.valid !== false : true;
  const schema = (response.additionalInformation || [])
    .find(entry => entry.id === 'schema_check');
  return {
    // the issuer registry step is left out: no registries are configured offline
    verified: signature && expiration,
    signature,
    log: Object.fromEntries(Object.entries(log).map(([id, step]) =>
      [id, step.valid ?? (step.error ? false : null)])),
    schema: schema ? schema.results : null,
    error: signature ? null : describeError(response.error) || 'signature not valid'
  };
}

async function verifierCoreVerifyAll(task) {
  if(task.context_overrides && Object.keys(task.context_overrides).length) {
    throw new TypeError('verifier-core uses its own document loader; ' +
      'context_overrides cannot be applied to it');
  }
  verifierCore ??= await import('@digitalcredentials/verifier-core');
  const results = [];
  for(const credential of task.credentials) {
    try {
      const response = await verifierCore.verifyCredential({
        credential: structuredClone(credential), knownDIDRegistries: []
      });
      results.push(summarizeVerifierCore(response));
    } catch(error) {
      results.push({verified: false, signature: false, error: describeError(error)});
    }
  }
  return results;
}

// --- main ----------------------------------------------------------------------------
function version(name) {
  const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).version;
}

// Warm-up (untimed): the first verification pays for JIT compilation and for
// processing each context once; a benchmark may want that outside its timing.
async function warmUp(task, handler) {
  const count = Math.min(task.warmup || 0, (task.credentials || []).length);
  if(task.op === 'verify' && count > 0) {
    await handler({...task, credentials: task.credentials.slice(0, count)});
  }
}

const handlers = {
  'issue/digitalbazaar': dbIssue,
  'verify/digitalbazaar': dbVerifyAll,
  'verify/verifier-core': verifierCoreVerifyAll
};

const startup = (performance.now() - t0) / 1000;
const out = [];
for(const task of request.tasks || []) {
  const handler = handlers[`${task.op}/${task.peer}`];
  if(!handler) {
    out.push({name: task.name, op: task.op, peer: task.peer, error: 'unknown op/peer'});
    continue;
  }
  try {
    await warmUp(task, handler);
    taskBlocked = [];
    const start = performance.now();
    const results = await handler(task);
    out.push({
      name: task.name, op: task.op, peer: task.peer,
      seconds: (performance.now() - start) / 1000, results,
      blocked: [...new Set(taskBlocked)]
    });
  } catch(error) {
    out.push({name: task.name, op: task.op, peer: task.peer, error: describeError(error)});
  }
}

const response = {
  versions: Object.fromEntries([
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-rdfc-2022-cryptosuite', '@digitalbazaar/ed25519-multikey',
    '@digitalbazaar/ed25519-signature-2020', '@digitalbazaar/ed25519-verification-key-2020',
    '@digitalbazaar/did-method-key', '@digitalcredentials/verifier-core'
  ].map(name => [name, version(name)])),
  node: process.version,
  startup_seconds: startup,
  blocked: [...new Set(blocked)],
  tasks: out
};
// fd 1 may be a non-blocking pipe: write all of it, retrying while the reader catches up
const bytes = Buffer.from(JSON.stringify(response));
for(let offset = 0; offset < bytes.length;) {
  try {
    offset += writeSync(1, bytes, offset, bytes.length - offset);
  } catch(error) {
    if(error.code !== 'EAGAIN') {
      throw error;
    }
  }
}
