// DKIM signing (RFC 6376), rsa-sha256, relaxed header and simple body
// canonicalization. Built for the splice: the signer never sees a MIME tree,
// only header lines and body bytes. Simple body canonicalization hashes the
// body bytes exactly as sent (our bodies end with one CRLF), which lets the body
// hash continue from a state computed once per send over the constant prefix
// (see splice.ts); the header hash and the RSA signature are per recipient.
//
// The RSA signature is most of a signed message's cost (about 0.37 ms of a
// core each): a worker builds and signs its messages on the message threads
// (message-threads.ts), which call `signatureHeader` there. On the event loop
// (MESSAGE_THREADS=0, one core) the signature is computed on libuv's thread
// pool (`signatureHeaderOffThread`, node:crypto with a callback), which keeps
// the loop turning but takes the cores from it at every signature.
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
   * finished body hash state. `canonical` maps a header index to its
   * pre-computed relaxed form, for headers that are the same for every recipient.
   */
  signatureHeader(headers: readonly HeaderLine[], bodyHash: Hash, timestamp: number, canonical?: ReadonlyArray<string | undefined>): string {
    const { value, data } = this.signingInput(headers, bodyHash, timestamp, canonical);
    return signatureLine(value, sign('sha256', data, this.key));
  }

  /** The same as `signatureHeader`, the RSA signature computed on libuv's thread pool: the event loop goes on meanwhile. */
  signatureHeaderOffThread(headers: readonly HeaderLine[], bodyHash: Hash, timestamp: number, canonical?: ReadonlyArray<string | undefined>): Promise<string> {
    const { value, data } = this.signingInput(headers, bodyHash, timestamp, canonical);
    return new Promise((resolve, reject) => {
      sign('sha256', data, this.key, (err, signature) => (err ? reject(err) : resolve(signatureLine(value, signature))));
    });
  }

  /** The signature's header value up to `b=`, and the data to sign: the signed headers' canonical forms and that header's own. */
  private signingInput(headers: readonly HeaderLine[], bodyHash: Hash, timestamp: number, canonical?: ReadonlyArray<string | undefined>): { value: string; data: Buffer } {
    const bh = bodyHash.digest('base64');
    const names: string[] = [];
    let signedData = '';
    for (const wanted of SIGNED_HEADERS) {
      const index = headers.findIndex((h) => h.name.toLowerCase() === wanted);
      if (index < 0) continue;
      const h = headers[index]!;
      names.push(wanted);
      signedData += canonical?.[index] ?? relaxedHeader(h.name, h.value);
    }
    const { domain, selector } = this.settings;
    const t = Math.floor(timestamp / 1000);
    const value = `v=1; a=rsa-sha256; c=relaxed/simple; d=${domain}; s=${selector}; t=${t};\r\n h=${names.join(':')};\r\n bh=${bh};\r\n b=`;
    signedData += relaxedHeader('DKIM-Signature', value).slice(0, -2);
    return { value, data: Buffer.from(signedData, 'utf8') };
  }
}

function signatureLine(value: string, signature: Buffer): string {
  return `DKIM-Signature: ${value}${signature.toString('base64')}\r\n`;
}
