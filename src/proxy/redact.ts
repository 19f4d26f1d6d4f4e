/**
 * Browsers cannot set headers on a WebSocket, so tokens often travel in the query string
 * (`/ws?access_token=…`). Logs are shared and pasted into bug reports: the values of parameters whose
 * names look like credentials are replaced before a path reaches any event. The request relayed upstream
 * is never changed.
 */

const SECRET_NAME = /token|auth|key|secret|pass(word|wd)?|pwd|session|sig(nature)?|jwt|credential|code/i;

export const REDACTED = 'REDACTED';

/** Whether a parameter, header or field name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function redactPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const hash = path.indexOf('#', q);
  const query = path.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed escape: judge the name as written.
      }
      return isSecretName(decoded) && eq < pair.length - 1 ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path.slice(0, q + 1)}${redacted}${hash < 0 ? '' : path.slice(hash)}`;
}
