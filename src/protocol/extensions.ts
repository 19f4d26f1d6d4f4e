/**
 * Sec-WebSocket-Extensions parsing (RFC 6455 §9.1) and the permessage-deflate parameters (RFC 7692 §7.1).
 * Pure functions over header strings: used by the handshake checks and to configure the decoder.
 */

export interface ExtensionOffer {
  name: string;
  /** Parameter name → value; `true` for a parameter given without a value. */
  params: Record<string, string | true>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a Sec-WebSocket-Extensions value (or several joined by commas) into offers, in order.
 * Returns an error string instead of throwing: the value comes from a peer.
 */
export function parseExtensions(value: string): ExtensionOffer[] | { error: string } {
  const offers: ExtensionOffer[] = [];
  for (const item of splitOutsideQuotes(value, ',')) {
    if (item.trim() === '') continue;
    const [nameRaw, ...paramParts] = splitOutsideQuotes(item, ';');
    const name = (nameRaw ?? '').trim();
    if (!TOKEN.test(name)) return { error: `invalid extension name "${name}"` };
    const params: Record<string, string | true> = {};
    for (const part of paramParts) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim();
      if (!TOKEN.test(key)) return { error: `invalid parameter name "${key}" in extension ${name}` };
      if (eq < 0) {
        params[key] = true;
        continue;
      }
      let val = part.slice(eq + 1).trim();
      if (val.startsWith('"')) {
        if (!val.endsWith('"') || val.length < 2) return { error: `unterminated quoted value for ${key}` };
        val = val.slice(1, -1);
      }
      if (!TOKEN.test(val)) return { error: `invalid value "${val}" for parameter ${key}` };
      params[key] = val;
    }
    offers.push({ name, params });
  }
  return offers;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The permessage-deflate agreement as a receiver of one direction needs it. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** LZ77 window of the server's compressor (8–15). */
  serverMaxWindowBits: number;
  /** LZ77 window of the client's compressor (8–15). */
  clientMaxWindowBits: number;
}

/**
 * Reads the permessage-deflate parameters from a negotiated (response) extensions value.
 * Returns null when permessage-deflate was not accepted, or an error for unusable parameters.
 */
export function negotiatedDeflate(value: string | null | undefined): DeflateParams | null | { error: string } {
  if (!value) return null;
  const offers = parseExtensions(value);
  if ('error' in offers) return offers;
  const pmd = offers.find((o) => o.name.toLowerCase() === 'permessage-deflate');
  if (!pmd) return null;
  const result: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  for (const [key, val] of Object.entries(pmd.params)) {
    switch (key.toLowerCase()) {
      case 'server_no_context_takeover':
        result.serverNoContextTakeover = true;
        break;
      case 'client_no_context_takeover':
        result.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
      case 'client_max_window_bits': {
        // In a response the value is mandatory for server_max_window_bits; a bare client_max_window_bits
        // only appears in offers, so treat it as the default window.
        if (val === true) break;
        const bits = Number(val);
        if (!Number.isInteger(bits) || bits < 8 || bits > 15) return { error: `${key}=${val} is not 8–15` };
        if (key.toLowerCase() === 'server_max_window_bits') result.serverMaxWindowBits = bits;
        else result.clientMaxWindowBits = bits;
        break;
      }
      default:
        return { error: `unknown permessage-deflate parameter ${key}` };
    }
  }
  return result;
}
