// Email addresses as the audience accepts them: checked for syntax, the domain
// turned to ASCII (internationalised domains, via the WHATWG URL algorithm) and
// lower-cased. The local part keeps its case (RFC 5321 leaves it to the
// mailbox), but the keyed hash ignores it (see keys.ts).
import { domainToASCII } from 'node:url';

export type AddressProblem =
  | 'empty'
  | 'too-long'
  | 'no-at-sign'
  | 'bad-local-part'
  | 'non-ascii-local-part'
  | 'bad-domain';

export type ParsedAddress = { ok: true; address: string } | { ok: false; problem: AddressProblem };

// RFC 5322 dot-atom characters; quoted local parts are refused on purpose:
// they are legal but nearly always a typing or export mistake.
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Checks and normalises one address typed by a person or found in a file. */
export function parseAddress(input: string): ParsedAddress {
  const text = input.trim();
  if (!text) return { ok: false, problem: 'empty' };
  if (text.length > 320) return { ok: false, problem: 'too-long' };
  const at = text.lastIndexOf('@');
  if (at < 0) return { ok: false, problem: 'no-at-sign' };
  const local = text.slice(0, at);
  const domainInput = text.slice(at + 1);
  if (!local || local.length > 64) return { ok: false, problem: 'bad-local-part' };
  if (!ATEXT.test(local)) {
    // eslint-disable-next-line no-control-regex
    return { ok: false, problem: /[^\x00-\x7f]/.test(local) ? 'non-ascii-local-part' : 'bad-local-part' };
  }
  const domain = asciiDomain(domainInput);
  if (!domain) return { ok: false, problem: 'bad-domain' };
  const address = `${local}@${domain}`;
  if (address.length > 254) return { ok: false, problem: 'too-long' };
  return { ok: true, address };
}

// Lists hold few distinct domains (most readers are at a handful of
// providers): each one is checked and converted once, not once per address.
// Bounded, so that a file of a million distinct domains does not grow it.
const DOMAIN_CACHE_SIZE = 10_000;
const domainCache = new Map<string, string | null>();

/** The domain in lower-case ASCII (punycode for an IDN), or null when it cannot receive mail. */
function asciiDomain(input: string): string | null {
  let ascii = domainCache.get(input);
  if (ascii === undefined) {
    ascii = checkDomain(input);
    if (domainCache.size >= DOMAIN_CACHE_SIZE) domainCache.clear();
    domainCache.set(input, ascii);
  }
  return ascii;
}

function checkDomain(input: string): string | null {
  if (!input || /[\s/\\?#[\]@:%]/.test(input)) return null;
  const ascii = domainToASCII(input.toLowerCase().replace(/\.$/, ''));
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((l) => LABEL.test(l))) return null;
  // A top-level domain is never all digits: that would be an IP address.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return null;
  return ascii;
}

/** Words for each problem, for reject files and forms. */
export const ADDRESS_PROBLEM_TEXT: Record<AddressProblem, string> = {
  empty: 'no address',
  'too-long': 'address too long',
  'no-at-sign': 'no @ in the address',
  'bad-local-part': 'invalid characters before the @',
  'non-ascii-local-part': 'non-ASCII characters before the @ are not supported',
  'bad-domain': 'invalid domain',
};
