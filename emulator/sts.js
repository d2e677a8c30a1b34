// STS GetFederationToken (version 2018-08-13): temporary keys for a browser, answered with the
// emulator's seeded temporary key, so what it hands out works against the emulator's CVM.
// Parameters as the API documents them: Name (required), Policy (required, a policy JSON,
// URL-encoded or not), DurationSeconds (optional, 1..7200, default 1800).
import { CREDENTIALS } from './account.js';

const err = (code, message) => ({ error: { code, message } });

export function getFederationToken(params, { now }) {
  const { Name, Policy, DurationSeconds = 1800 } = params;
  if (typeof Name !== 'string' || Name === '') return err('MissingParameter', 'The request is missing a required parameter `Name`.');
  if (!/^[\w+=,.@-]{1,32}$/.test(Name)) return err('InvalidParameter.ParamError', 'Name must be 1 to 32 characters of [A-Za-z0-9+=,.@_-].');
  if (typeof Policy !== 'string' || Policy === '') return err('MissingParameter', 'The request is missing a required parameter `Policy`.');
  let policy;
  try {
    policy = JSON.parse(Policy.startsWith('%7B') ? decodeURIComponent(Policy) : Policy);
  } catch {
    return err('InvalidParameter.PolicyTooLong', 'Policy is not a policy document (JSON).');
  }
  if (!policy || typeof policy !== 'object' || !Array.isArray(policy.statement)) {
    return err('InvalidParameter.ParamError', 'Policy must be a policy document with a `statement` array.');
  }
  if (!Number.isInteger(DurationSeconds) || DurationSeconds < 1 || DurationSeconds > 7200) {
    return err('InvalidParameter.ParamError', 'DurationSeconds must be a whole number from 1 to 7200.');
  }
  const expired = Math.floor(now / 1000) + DurationSeconds;
  const { secretId, secretKey, token } = CREDENTIALS.temporary;
  return {
    data: {
      Credentials: { Token: token, TmpSecretId: secretId, TmpSecretKey: secretKey },
      ExpiredTime: expired,
      Expiration: new Date(expired * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}
