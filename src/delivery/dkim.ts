// DKIM signing (RFC 6376), rsa-sha256, relaxed header and simple body
// canonicalization. Built for the splice: the signer never sees a MIME tree,
// only header lines and body bytes. Simple body canonicalization hashes the
// body bytes exactly as sent (our bodies end with one CRLF), which lets the body
// hash continue from a state computed once per send over the constant prefix
// (see splice.ts); the header hash and the RSA signature are per recipient.
//
// The RSA signature is most of a signed message's cost (about 0.26 ms of a
// core each, against about 0.05 for the rest of the message). A worker
// computes it on its signing threads (signing-threads.ts), handing them only
// the signing input (`signingInput`); without them (SIGNING_THREADS=0, one
// core) on libuv's thread pool (`libuvRsa`, node:crypto with a callback),
// which keeps the loop turning but takes the cores from it at every
// signature. `signatureHeader` signs right here, for what needs one message
// now (a test send's relay check, tests).
import { createPrivateKey, sign, type Hash, type KeyObject } from 'node:crypto';

/** The DKIM settings (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE's content). */
export interface DkimKey {
  domain: string;
  selector: string;
  /** PEM private key (RSA, 2048 bits or more). */
  privateKey: string;
}

/** Headers every signature covers, in this order (when the message has them). */
export const SIGNED_HEADERS = [
  'from',
  'reply-to',
  'to',
  'subject',
  'date',
  'message-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-id',
  'list-archive',
  'feedback-id',
  'mime-version',
  'content-type',
] as const;

/** One header as it appears in the message: name and (possibly folded) value. */
export interface HeaderLine {
  name: string;
  value: string;
}

/** The relaxed canonical form of one header (RFC 6376, 3.4.2), with its CRLF. */
export function relaxedHeader(name: string, value: string): string {
  const v = value
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name.toLowerCase().trim()}:${v}\r\n`;
}

/**
 * The headers a signature covers, for messages of one shape, worked out once
 * (per send, from its template) rather than per recipient: the `h=` list,
 * and in signing order either the canonical text of headers that are the
 * same in every message (adjacent ones joined) or the index of a header whose
 * value each message has its own.
 */
export interface SignedHeaders {
  names: string;
  parts: ReadonlyArray<string | number>;
}

/** The SignedHeaders of messages with these headers; a header with a `constantValue` is the same in all of them. */
export function signedHeaders(headers: ReadonlyArray<{ name: string; constantValue?: string }>): SignedHeaders {
  const names: string[] = [];
  const parts: Array<string | number> = [];
  for (const wanted of SIGNED_HEADERS) {
    const index = headers.findIndex((h) => h.name.toLowerCase() === wanted);
    if (index < 0) continue;
    names.push(wanted);
    const { name, constantValue } = headers[index]!;
    const last = parts.length - 1;
    if (constantValue === undefined) parts.push(index);
    else if (typeof parts[last] === 'string') parts[last] += relaxedHeader(name, constantValue);
    else parts.push(relaxedHeader(name, constantValue));
  }
  return { names: names.join(':'), parts };
}

/** Signs messages of one domain; holds the parsed private key. */
export class DkimSigner {
  private readonly key: KeyObject;

  constructor(readonly settings: DkimKey) {
    this.key = createPrivateKey(settings.privateKey);
    const bits = this.key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (this.key.asymmetricKeyType !== 'rsa' || bits < 2048) {
      throw new Error(`the DKIM key must be RSA of at least 2048 bits (got ${this.key.asymmetricKeyType} ${bits})`);
    }
  }

  /**
   * The DKIM-Signature header line (with its CRLF) for these headers and the
   * finished body hash state, signed here. `signed` says which headers it
   * covers (by default all of `headers`' signed ones); with a plan made once
   * per send, `headers` needs only the ones each message has its own.
   */
  signatureHeader(headers: readonly HeaderLine[], bodyHash: Hash, timestamp: number, signed?: SignedHeaders): string {
    const { value, text } = this.signingInput(headers, bodyHash, timestamp, signed);
    return signatureLine(value, sign('sha256', Buffer.from(text, 'utf8'), this.key).toString('base64'));
  }

  /** The same line, its RSA signature computed by `rsa` (a signing thread, libuv's thread pool): the event loop goes on meanwhile. */
  async signatureHeaderWith(rsa: RsaSigner, headers: readonly HeaderLine[], bodyHash: Hash, timestamp: number, signed?: SignedHeaders): Promise<string> {
    const { value, text } = this.signingInput(headers, bodyHash, timestamp, signed);
    return signatureLine(value, await rsa(this, text));
  }

  /** The RSA signature (base64) of a signing input, computed on libuv's thread pool. */
  signOffLoop(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      sign('sha256', Buffer.from(text, 'utf8'), this.key, (err, signature) => (err ? reject(err) : resolve(signature.toString('base64'))));
    });
  }

  /**
   * The signature's header value up to `b=`, and the signing input (what the
   * RSA signature is computed over, as UTF-8): the signed headers' canonical
   * forms and that header's own.
   */
  signingInput(headers: readonly HeaderLine[], bodyHash: Hash, timestamp: number, signed: SignedHeaders = signedHeaders(headers)): { value: string; text: string } {
    const bh = bodyHash.digest('base64');
    let signedData = '';
    for (const part of signed.parts) {
      if (typeof part === 'string') signedData += part;
      else signedData += relaxedHeader(headers[part]!.name, headers[part]!.value);
    }
    const { domain, selector } = this.settings;
    const t = Math.floor(timestamp / 1000);
    const value = `v=1; a=rsa-sha256; c=relaxed/simple; d=${domain}; s=${selector}; t=${t};\r\n h=${signed.names};\r\n bh=${bh};\r\n b=`;
    signedData += relaxedHeader('DKIM-Signature', value).slice(0, -2);
    return { value, text: signedData };
  }
}

/** Computes the RSA signature, in base64, of a signer's signing input. */
export type RsaSigner = (signer: DkimSigner, text: string) => Promise<string>;

/** On libuv's thread pool: what a process without signing threads uses. */
export const libuvRsa: RsaSigner = (signer, text) => signer.signOffLoop(text);

function signatureLine(value: string, signature: string): string {
  return `DKIM-Signature: ${value}${signature}\r\n`;
}
