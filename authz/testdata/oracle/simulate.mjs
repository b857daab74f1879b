// Differential-test oracle for authz: reads `gateway simulate` cases (one JSON object a line) on
// stdin, runs each through @cloud-copilot/iam-simulate (a separate process; AGPL-3.0, never
// copied or linked into the gateway) and prints one JSON line per case:
//   {"decision":"Allow"|"ExplicitDeny"|"ImplicitDeny","ignored":[...]} or {"error":"..."}
import { createInterface } from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const decisions = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny'
}

function accountOf(arn) {
  const parts = String(arn).split(':')
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] : ''
}

function named(p, def) {
  if (p && typeof p === 'object' && 'policy' in p && !('Statement' in p)) {
    return { name: p.name || def, policy: p.policy }
  }
  return { name: def, policy: p }
}

function toSimulation(c) {
  const resourceAccount = accountOf(c.resource) || accountOf(c.principal)
  const sim = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource || '*', accountId: resourceAccount },
      contextVariables: c.context || {}
    },
    identityPolicies: (c.identity_policies || []).map((p, i) => named(p, `identity_policies[${i}]`)),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  if (c.guardrails && c.guardrails.length > 0) {
    sim.serviceControlPolicies = [
      {
        orgIdentifier: 'ou-guardrails',
        policies: c.guardrails.map((p, i) => named(p, `guardrails[${i}]`))
      }
    ]
  }
  if (c.resource_policy) sim.resourcePolicy = named(c.resource_policy, 'resource_policy').policy
  if (c.permissions_boundary) {
    sim.permissionBoundaryPolicies = [named(c.permissions_boundary, 'permissions_boundary')]
  }
  if (c.session_policy) sim.sessionPolicy = named(c.session_policy, 'session_policy').policy
  return sim
}

async function one(line) {
  let c
  try {
    c = JSON.parse(line)
  } catch (e) {
    return { error: `bad case: ${e.message}` }
  }
  try {
    const r = await runSimulation(toSimulation(c), {})
    if (r.resultType === 'error') {
      return { error: JSON.stringify(r.errors) }
    }
    const ignored = r.resultType === 'single' ? r.result.ignoredContextKeys || [] : []
    return { decision: decisions[r.overallResult] || String(r.overallResult), ignored }
  } catch (e) {
    return { error: `simulator failed: ${e.message}` }
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of rl) {
  if (line.trim() === '') continue
  process.stdout.write(JSON.stringify(await one(line)) + '\n')
}
