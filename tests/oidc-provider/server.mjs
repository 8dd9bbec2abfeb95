// A real OpenID provider (panva/oidc-provider, a certified implementation) standing in for the
// identity broker that connects Formfabrik to BundID. Tests and `formfabrik serve` start it on
// 127.0.0.1; it is never used in production.
//
//   node server.mjs [--config <file>] [--host 127.0.0.1] [--port 0] [--test-endpoints]
//                   [--exit-with-stdin]
//
// It listens first (port 0 = the system picks one), then prints its issuer URL as the only line
// on stdout, so callers never race for a port. Everything else goes to stderr.
//
// - Test persons (persons.json) are shaped like BundID accounts: standard claims, `bpk2`, and
//   the trust level as `acr`. The sign-in page lists them: pick one and "Anmelden" (sign-in and
//   consent in one step, as BundID asks once), or "Abbrechen" (access_denied to the client).
// - Clients come from the config file (their redirect URIs depend on ports chosen at runtime).
// - PKCE (S256) is required for every client; only the authorization code flow is offered.
// - Two RSA signing keys are generated at every start: the active one (published in the JWKS,
//   signs ID tokens) and a spare one (not published). With --test-endpoints:
//     POST /test/sign    {"payload": {...}, "key": "active"|"spare", "kid"?: "..."} -> a JWS
//     POST /test/rotate  the spare key becomes the signing key; the old one stays published
//     GET  /test/keys    the kids: {"active": "...", "published": [...], "spare": "..."}
//   They let tests forge tokens with a key the provider never published and follow a rotation.
// - --exit-with-stdin: stop when stdin closes, so a test run that dies leaves no server behind.

import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, sign as cryptoSign, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0, config: join(here, 'config.json'), testEndpoints: false, exitWithStdin: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      i += 1;
      return argv[i];
    };
    if (a === '--config') args.config = resolve(value());
    else if (a === '--host') args.host = value();
    else if (a === '--port') args.port = Number(value());
    else if (a === '--test-endpoints') args.testEndpoints = true;
    else if (a === '--exit-with-stdin') args.exitWithStdin = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const config = JSON.parse(readFileSync(args.config, 'utf8'));
const personsFile = resolve(dirname(args.config), config.persons ?? join(here, 'persons.json'));
const persons = new Map(JSON.parse(readFileSync(personsFile, 'utf8')).persons.map((p) => [p.id, p]));
const ACR_VALUES = ['STORK-QAA-Level-1', 'STORK-QAA-Level-2', 'STORK-QAA-Level-3', 'STORK-QAA-Level-4'];
for (const p of persons.values()) {
  if (!ACR_VALUES.includes(p.acr)) throw new Error(`${personsFile}: person ${p.id} has unknown acr ${p.acr}`);
}

// ---- keys ------------------------------------------------------------------------------------

let keyCounter = 0;
function newKey() {
  keyCounter += 1;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `test-${keyCounter}-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
}
// Published keys, signing key first (oidc-provider signs with the first key of a fitting alg).
let published = [newKey()];
let spare = newKey();

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

function signJws(payload, jwk, kid) {
  const header = { alg: 'RS256', typ: 'JWT', kid: kid ?? jwk.kid };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = cryptoSign('sha256', Buffer.from(input), createPrivateKey({ key: jwk, format: 'jwk' }));
  return `${input}.${b64url(signature)}`;
}

// ---- the provider ----------------------------------------------------------------------------

const CLAIMS = {
  openid: ['sub'],
  profile: ['given_name', 'family_name', 'birthdate'],
  address: ['address'],
  email: ['email', 'email_verified'],
  bundid: ['bpk2'],
  acr: null,
};
const CLAIM_LABELS = {
  given_name: 'Vorname(n)',
  family_name: 'Familienname',
  birthdate: 'Geburtsdatum',
  address: 'Anschrift',
  email: 'E-Mail-Adresse',
  email_verified: 'E-Mail-Adresse bestätigt',
  bpk2: 'bereichsspezifisches Personenkennzeichen (bPK2)',
};
const cookieKeys = [randomBytes(32).toString('hex')];

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function page(title, body) {
  return `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.note{background:#fff3cd;border:1px solid #c9a100;padding:.5rem 1rem}fieldset{margin:1rem 0}
label{display:block;margin:.25rem 0}button{font-size:1rem;margin-right:1rem;padding:.4rem 1rem}</style>
</head><body><main>${body}</main></body></html>`;
}

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: published },
    cookies: { keys: cookieKeys },
    claims: CLAIMS,
    acrValues: ACR_VALUES,
    // Claims of the granted scopes go into the ID token, as a Keycloak broker sends them.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 300,
      IdToken: 300,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    async findAccount(_ctx, id) {
      const person = persons.get(id);
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...person.claims }) };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Fehler', `<h1>Fehler</h1><p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  return provider;
}

// ---- the sign-in page (login and consent in one step) -----------------------------------------

function loginPage(details, client, problem) {
  const requested = [...new Set(String(details.params.scope ?? '').split(' ').flatMap((s) => (CLAIMS[s] ?? [])))]
    .filter((c) => CLAIM_LABELS[c]);
  const options = [...persons.values()].map((p) => `<label><input type="radio" name="person" value="${escapeHtml(p.id)}"> ${escapeHtml(p.label)}: ${escapeHtml(p.method)} (${escapeHtml(p.acr)})</label>`).join('\n');
  return page('Anmeldung (Testsystem)', `
<p class="note">Testsystem: kein echtes Nutzerkonto. Wählen Sie eine Testperson.</p>
<h1>Anmelden bei ${escapeHtml(client?.clientName ?? details.params.client_id)}</h1>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
<fieldset><legend>Testperson</legend>
${options}
</fieldset>
<p>Folgende Daten werden übermittelt: ${requested.map((c) => escapeHtml(CLAIM_LABELS[c])).join(', ') || 'keine'}.</p>
<button type="submit" name="action" value="login">Anmelden</button>
<button type="submit" name="action" value="cancel">Abbrechen</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const client = await provider.Client.find(details.params.client_id);
  if (req.method === 'GET') {
    send(res, 200, 'text/html; charset=utf-8', loginPage(details, client));
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, 'text/plain', 'method not allowed');
    return;
  }
  const form = await readForm(req);
  if (form.get('action') === 'cancel') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'Die Anmeldung wurde abgebrochen.',
    }, { mergeWithLastSubmission: false });
    return;
  }
  const person = persons.get(form.get('person') ?? '');
  if (!person) {
    send(res, 400, 'text/html; charset=utf-8', loginPage(details, client, 'Bitte wählen Sie eine Testperson.'));
    return;
  }
  // Consent for exactly what was asked, given with the sign-in (BundID asks once, too).
  const grant = new provider.Grant({ accountId: person.id, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: person.id, acr: person.acr, amr: [person.acr === 'STORK-QAA-Level-1' ? 'pwd' : 'hwk'] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

// ---- test endpoints --------------------------------------------------------------------------

async function testEndpoint(state, req, res, path) {
  if (path === '/test/keys' && req.method === 'GET') {
    send(res, 200, 'application/json', JSON.stringify({ active: published[0].kid, published: published.map((k) => k.kid), spare: spare.kid }));
    return true;
  }
  if (path === '/test/sign' && req.method === 'POST') {
    const { payload, key, kid } = await readJson(req);
    if (!payload || !['active', 'spare'].includes(key)) {
      send(res, 400, 'text/plain', 'need {"payload": {...}, "key": "active"|"spare"}');
      return true;
    }
    send(res, 200, 'application/jwt', signJws(payload, key === 'active' ? published[0] : spare, kid));
    return true;
  }
  if (path === '/test/rotate' && req.method === 'POST') {
    published = [spare, published[0]];
    spare = newKey();
    state.provider = makeProvider(state.issuer);
    state.handler = state.provider.callback();
    send(res, 200, 'application/json', JSON.stringify({ active: published[0].kid, published: published.map((k) => k.kid), spare: spare.kid }));
    return true;
  }
  return false;
}

// ---- the server ------------------------------------------------------------------------------

const state = { issuer: undefined, provider: undefined, handler: undefined };
const server = createServer(async (req, res) => {
  try {
    const path = new URL(req.url, 'http://x').pathname;
    if (path.startsWith('/interaction/')) {
      await interaction(state.provider, req, res);
      return;
    }
    if (args.testEndpoints && path.startsWith('/test/') && await testEndpoint(state, req, res, path)) {
      return;
    }
    state.handler(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 400, 'text/plain; charset=utf-8', `${err.name}: ${err.message}`);
  }
});

server.listen(args.port, args.host, () => {
  const { port } = server.address();
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  state.issuer = `http://${host}:${port}`;
  state.provider = makeProvider(state.issuer);
  state.handler = state.provider.callback();
  process.stdout.write(`${state.issuer}\n`);
  console.error(`test OpenID provider at ${state.issuer} (${persons.size} test persons, ${config.clients.length} clients)`);
});

if (args.exitWithStdin) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
