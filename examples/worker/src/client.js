// One CvmClient per isolate, shared by the Worker's requests and the ExportTasks objects that
// run in the isolate: created on first use (env is only reachable from a handler or an
// object), so whatever state the client keeps — its signing-key cache, its clock-skew
// correction, its rate limiter — is shared by every request the isolate serves.
import { CvmClient, TencentCloudError } from "tc3-edge";
import { quotaAcquirer, quotaSettings } from "./quota.js";

let client = null;

// What each request's call learned about the quota, found by the call's AbortSignal (the client
// hands `acquire` the signal of the call it is acquiring for).
export const quotaNotes = new WeakMap(); // AbortSignal -> { fallback: string | null, retryAfterMs: number | null }

/** The isolate's client, or null when TC_SECRET_ID / TC_SECRET_KEY / TC_REGION are missing or invalid. */
export function getClient(env) {
  if (client) return client;
  const { TC_SECRET_ID: secretId, TC_SECRET_KEY: secretKey, TC_REGION: region } = env;
  if (!secretId || !secretKey || !region) return null;
  // `env` is fixed for an isolate's life: a new secret or var means a new deployment, hence
  // new isolates, hence a new client.
  const profile = { httpProfile: { endpoint: env.TC_ENDPOINT || "cvm.tencentcloudapi.com", reqTimeout: 30 } };
  if (env.TC_LANGUAGE) profile.language = env.TC_LANGUAGE;
  // Where the export files are checked and linked to; default the real COS host of the bucket.
  if (env.TC_COS_ENDPOINT) profile.cosEndpoint = env.TC_COS_ENDPOINT;
  const settings = quotaSettings(env);
  try {
    client = new CvmClient({
      credential: { secretId, secretKey, token: env.TC_TOKEN || undefined },
      region,
      profile,
      // With the EXPORT_QUOTA binding, every isolate of this Worker (every location) shares ONE
      // window per quota key (SecretId + action + region) held by a Durable Object; without it,
      // this isolate's own limiter (the client's default) is all there is.
      rateLimit: env.EXPORT_QUOTA ? fleetLimiter(env, secretId, region, settings) : { perSecond: settings.limit },
    });
  } catch (err) {
    if (!(err instanceof TencentCloudError)) throw err;
    // e.g. Client.InvalidOption for a malformed TC_ENDPOINT, TC_COS_ENDPOINT or TC_REGION (never the key).
    console.error(`tc3-edge worker: bad configuration: ${err.code}`);
    return null;
  }
  return client;
}

/** `rateLimit.acquire`: one Durable Object per (SecretId, action, region). */
function fleetLimiter(env, secretId, region, settings) {
  const acquirers = new Map(); // action -> acquire
  return {
    acquire(action, options) {
      let acquire = acquirers.get(action);
      if (!acquire) {
        acquire = quotaAcquirer({
          namespace: env.EXPORT_QUOTA,
          key: `${secretId}:${action}:${region}`,
          settings,
          onFallback(signal, why) {
            // Failure policy: keep serving at this isolate's rate, and say so (log + header).
            console.warn(`tc3-edge worker: ${why}; using this isolate's limiter for ${action}`);
            const note = signal && quotaNotes.get(signal);
            if (note) note.fallback = why;
          },
          onRefused(signal, retryAfterMs) {
            // The object (or its silence) said "not now": the answer's Retry-After.
            const note = signal && quotaNotes.get(signal);
            if (note) note.retryAfterMs = retryAfterMs;
          },
        });
        acquirers.set(action, acquire);
      }
      return acquire(action, options);
    },
  };
}
