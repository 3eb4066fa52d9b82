// Builders for Envoy AI Gateway resource files (the YAML `sluice run` reads), so that each test
// states only what it is about. Resource shapes follow Envoy AI Gateway's API
// (aigateway.envoyproxy.io/v1beta1 AIGatewayRoute, AIServiceBackend, BackendSecurityPolicy,
// GatewayConfig), Envoy Gateway's (gateway.envoyproxy.io/v1alpha1 Backend) and Gateway API's
// (gateway.networking.k8s.io/v1 Gateway, BackendTLSPolicy).

const PLAIN_KEY = /^[A-Za-z0-9_.\/-]+$/;

function scalar(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  const str = String(v);
  // Plain scalar when it cannot be read as anything but this string; otherwise a JSON string,
  // which is a valid YAML double-quoted scalar.
  if (/^[A-Za-z_\/][A-Za-z0-9_.\/-]*$/.test(str)
      && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(str)) return str;
  return JSON.stringify(str);
}

function key(k) { return PLAIN_KEY.test(k) ? k : JSON.stringify(k); }

function isScalar(v) { return v === null || v === undefined || typeof v !== 'object'; }

function multiline(v) { return typeof v === 'string' && v.includes('\n'); }

function block(str, indent) {
  const pad = ' '.repeat(indent);
  const indicator = str.endsWith('\n') ? '|' : '|-';
  const body = (str.endsWith('\n') ? str.slice(0, -1) : str).split('\n')
    .map((l) => (l === '' ? '' : pad + l)).join('\n');
  return `${indicator}\n${body}`;
}

function emitMap(obj, indent) {
  const pad = ' '.repeat(indent);
  const lines = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (multiline(v)) lines.push(`${pad}${key(k)}: ${block(v, indent + 2)}`);
    else if (isScalar(v)) lines.push(`${pad}${key(k)}: ${scalar(v)}`);
    else if (Array.isArray(v)) {
      if (v.length === 0) lines.push(`${pad}${key(k)}: []`);
      else lines.push(`${pad}${key(k)}:`, emitSeq(v, indent + 2));
    } else if (Object.keys(v).length === 0) lines.push(`${pad}${key(k)}: {}`);
    else lines.push(`${pad}${key(k)}:`, emitMap(v, indent + 2));
  }
  return lines.join('\n');
}

function emitSeq(arr, indent) {
  const pad = ' '.repeat(indent);
  return arr.map((v) => {
    if (multiline(v)) return `${pad}- ${block(v, indent + 2)}`;
    if (isScalar(v)) return `${pad}- ${scalar(v)}`;
    if (Array.isArray(v)) return `${pad}-\n${emitSeq(v, indent + 2)}`;
    if (Object.keys(v).length === 0) return `${pad}- {}`;
    const inner = emitMap(v, indent + 2);
    return `${pad}- ${inner.slice(indent + 2)}`;
  }).join('\n');
}

/** Serializes resources (plain objects) as a multi-document YAML stream. */
export function toYAML(docs) {
  return docs.filter(Boolean).map((d) => `---\n${emitMap(d, 0)}\n`).join('');
}

const NS = 'default';

export function gatewayResource({ name = 'gw', namespace = NS, listeners = [{ name: 'http', port: 0 }],
  gatewayConfig } = {}) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
    metadata: { name, namespace,
      ...(gatewayConfig ? { annotations: { 'aigateway.envoyproxy.io/gateway-config': gatewayConfig } } : {}) },
    spec: { gatewayClassName: 'sluice',
      listeners: listeners.map((l) => ({ name: l.name, protocol: 'HTTP', port: l.port ?? 0 })) },
  };
}

export function gatewayClassResource() {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' },
    spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' } };
}

/** Header matches on x-ai-eg-model, one match per model (matches are ORed). */
export function modelMatches(models, type = 'Exact') {
  return models.map((m) => ({ headers: [{ type, name: 'x-ai-eg-model', value: m }] }));
}

/**
 * @param {object} r
 * @param {Array} r.rules [{ name?, models?: string[], regex?: string, matches?, backendRefs: [{name,
 *   modelNameOverride?, priority?, weight?, headerMutation?, bodyMutation?}], timeouts?,
 *   modelsOwnedBy?, modelsCreatedAt? }]
 */
export function routeResource({ name = 'route', namespace = NS, gateway = 'gw', hostnames, costs,
  rules }) {
  return {
    apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'AIGatewayRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: gateway, kind: 'Gateway', group: 'gateway.networking.k8s.io' }],
      ...(hostnames ? { hostnames } : {}),
      ...(costs ? { llmRequestCosts: costs } : {}),
      rules: rules.map((r) => {
        const out = {};
        if (r.name) out.name = r.name;
        out.matches = r.matches ?? (r.regex !== undefined
          ? modelMatches([r.regex], 'RegularExpression') : modelMatches(r.models));
        out.backendRefs = r.backendRefs.map((b) => (typeof b === 'string' ? { name: b } : b));
        if (r.timeouts) out.timeouts = r.timeouts;
        if (r.modelsOwnedBy) out.modelsOwnedBy = r.modelsOwnedBy;
        if (r.modelsCreatedAt) out.modelsCreatedAt = r.modelsCreatedAt;
        return out;
      }),
    },
  };
}

/**
 * An AIServiceBackend plus its Backend, and (optionally) a BackendSecurityPolicy with its Secret and
 * a BackendTLSPolicy with its CA ConfigMap. Returns an array of resources.
 * @param {object} b
 * @param {{ip?:string, fqdn?:string, port:number}} b.endpoint
 * @param {{type:'APIKey'|'AnthropicAPIKey'|'AzureAPIKey', key:string}} [b.policy]
 * @param {{hostname:string, caPem:string}} [b.tls]
 */
export function backendResources({ name, namespace = NS, schema = { name: 'OpenAI' }, endpoint,
  endpoints, policy, tls, headerMutation, bodyMutation }) {
  const eps = (endpoints ?? [endpoint]).map((e) => (e.fqdn
    ? { fqdn: { hostname: e.fqdn, port: e.port } }
    : { ip: { address: e.ip ?? '127.0.0.1', port: e.port } }));
  const docs = [
    {
      apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'AIServiceBackend',
      metadata: { name, namespace },
      spec: {
        schema,
        backendRef: { name, kind: 'Backend', group: 'gateway.envoyproxy.io' },
        ...(headerMutation ? { headerMutation } : {}),
        ...(bodyMutation ? { bodyMutation } : {}),
      },
    },
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'Backend', metadata: { name, namespace },
      spec: { endpoints: eps },
    },
  ];
  if (policy) {
    const field = { APIKey: 'apiKey', AnthropicAPIKey: 'anthropicAPIKey', AzureAPIKey: 'azureAPIKey' }[policy.type];
    docs.push({
      apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'BackendSecurityPolicy',
      metadata: { name: `${name}-auth`, namespace },
      spec: {
        targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name }],
        type: policy.type,
        [field]: { secretRef: { name: `${name}-secret`, namespace } },
      },
    });
    docs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-secret`, namespace },
      type: 'Opaque', stringData: { apiKey: policy.key } });
  }
  if (tls) {
    docs.push({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'BackendTLSPolicy',
      metadata: { name: `${name}-tls`, namespace },
      spec: {
        targetRefs: [{ group: 'gateway.envoyproxy.io', kind: 'Backend', name }],
        validation: { hostname: tls.hostname,
          caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: `${name}-ca` }] },
      },
    });
    docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-ca`, namespace },
      data: { 'ca.crt': tls.caPem } });
  }
  return docs;
}

export function gatewayConfigResource({ name = 'gwcfg', namespace = NS, globalCosts }) {
  return {
    apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'GatewayConfig', metadata: { name, namespace },
    spec: { ...(globalCosts ? { globalLLMRequestCosts: globalCosts } : {}) },
  };
}

/**
 * A whole config: GatewayClass + Gateway + routes + backends (+ GatewayConfig).
 * @param {object} c
 * @param {object} [c.gateway] gatewayResource options
 * @param {object[]} c.routes routeResource options
 * @param {object[]} c.backends backendResources options
 * @param {object} [c.gatewayConfig] gatewayConfigResource options (attached to the Gateway)
 */
export function buildConfig({ gateway = {}, routes, backends, gatewayConfig, extra = [] }) {
  const docs = [gatewayClassResource(),
    gatewayResource({ ...gateway, gatewayConfig: gatewayConfig ? (gatewayConfig.name ?? 'gwcfg') : undefined })];
  if (gatewayConfig) docs.push(gatewayConfigResource(gatewayConfig));
  for (const r of routes) docs.push(routeResource(r));
  for (const b of backends) docs.push(...backendResources(b));
  docs.push(...extra);
  return toYAML(docs);
}

/** The endpoint of a fake (ip endpoint → Host "127.0.0.1:<port>"). */
export function fakeEndpoint(fake) { return { ip: '127.0.0.1', port: fake.port }; }

/**
 * The most common shape: one route, one rule per model list, one backend per fake with an APIKey
 * policy. backends: [{ name, fake, key, models, ...backendResources options, ref: backendRef extras }]
 */
export function simpleConfig({ backends, costs, gatewayConfig, timeouts, routeName = 'route',
  hostnames }) {
  return buildConfig({
    gatewayConfig,
    routes: [{ name: routeName, hostnames, costs,
      rules: backends.map((b) => ({ models: b.models, timeouts,
        backendRefs: [{ name: b.name, ...(b.ref || {}) }] })) }],
    backends: backends.map((b) => ({ name: b.name, endpoint: b.endpoint ?? fakeEndpoint(b.fake),
      schema: b.schema, headerMutation: b.headerMutation, bodyMutation: b.bodyMutation, tls: b.tls,
      policy: b.key ? { type: b.policyType ?? 'APIKey', key: b.key } : undefined })),
  });
}
