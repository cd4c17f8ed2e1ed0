// The DNS records that let mailbox providers trust the newsroom's mail: the
// DKIM public key of the signing key (the TXT record readers' servers fetch to
// check every signature), and suggestions for SPF (the return path's domain,
// which SPF checks) and DMARC (each From domain). Then a check of each against
// the DNS, through node:dns (the system's resolvers, or DNS_SERVERS).
import { createPublicKey } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { addressOf } from '../edition/publication.ts';

export type RecordPurpose = 'DKIM' | 'SPF' | 'DMARC';

export interface DnsRecord {
  purpose: RecordPurpose;
  /** Fully qualified, without the final dot. */
  name: string;
  type: 'TXT';
  /** The value to publish, whole. */
  value: string;
  /** Why this record, and what to adapt. */
  note: string;
}

/** What the records are made from: the configuration and the publications' From addresses. */
export interface MailSetup {
  dkim?: { domain: string; selector: string; privateKey: string };
  /** The return path's domain (delivery's mail domain). */
  mailDomain: string;
  /** The hosts of the relays in use (none: the local outbox). */
  relayHosts: string[];
  /** The From of each publication (`Name <address>`). */
  fromAddresses: string[];
}

/** The `p=` of a DKIM record: the public half of the signing key, base64 DER (SubjectPublicKeyInfo), and its `k=`. */
export function dkimPublicKey(privateKey: string): { k: 'rsa' | 'ed25519'; p: string } {
  const key = createPublicKey(privateKey);
  if (key.asymmetricKeyType === 'ed25519') {
    // RFC 8463: the raw 32 bytes of the key, the end of its SPKI encoding.
    return { k: 'ed25519', p: key.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64') };
  }
  return { k: 'rsa', p: key.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** The records to publish for this setup, DKIM first. */
export function dnsRecords(setup: MailSetup): DnsRecord[] {
  const records: DnsRecord[] = [];
  if (setup.dkim) {
    const { k, p } = dkimPublicKey(setup.dkim.privateKey);
    records.push({
      purpose: 'DKIM',
      name: `${setup.dkim.selector}._domainkey.${setup.dkim.domain}`,
      type: 'TXT',
      value: `v=DKIM1; k=${k}; p=${p}`,
      note: 'the public key of DKIM_PRIVATE_KEY_FILE: publish it as is',
    });
  }
  const relays = [...new Set(setup.relayHosts)];
  records.push({
    purpose: 'SPF',
    name: setup.mailDomain,
    type: 'TXT',
    value: `v=spf1 ${relays.map((h) => `a:${h}`).join(' ')}${relays.length ? ' ' : ''}~all`,
    note: relays.length
      ? 'a suggestion: the relays may send for the return path’s domain; when your provider documents an include: mechanism, use theirs; keep one SPF record per domain'
      : 'a suggestion: no relay is set (the local outbox), add the one you will send through',
  });
  const fromDomains = [...new Set(setup.fromAddresses.map((f) => addressOf(f).split('@').pop()!.toLowerCase()).filter(Boolean))].sort();
  for (const domain of fromDomains.length ? fromDomains : [setup.mailDomain]) {
    records.push({
      purpose: 'DMARC',
      name: `_dmarc.${domain}`,
      type: 'TXT',
      value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}; adkim=r; aspf=r`,
      note: 'a suggestion to start with: p=none only reports; move to p=quarantine once the reports show every mail passing',
    });
  }
  return records;
}

/**
 * A value in zone-file syntax: strings of at most 255 characters (a TXT
 * record's limit per string), quoted, for the DNS interfaces that want them
 * split; a DKIM key of 2048 bits does not fit in one.
 */
export function zoneFileValue(value: string): string {
  const chunks = value.match(/.{1,255}/g) ?? [''];
  return chunks.map((c) => `"${c.replace(/["\\]/g, '\\$&')}"`).join(' ');
}

export type CheckStatus = 'ok' | 'missing' | 'different' | 'unresolved';

export interface RecordCheck {
  record: DnsRecord;
  status: CheckStatus;
  /** What the DNS holds there (the TXT strings of each record joined), for the person to compare. */
  found: string[];
  /** Why it is not ok, in words. */
  detail?: string;
}

/** The tags of a DKIM or DMARC record (`v=DKIM1; p=…`), values without white space. */
function tags(value: string): Map<string, string> {
  return new Map(
    value
      .split(';')
      .map((part) => part.split('='))
      .filter((kv) => kv.length >= 2 && kv[0]!.trim())
      .map(([k, ...v]) => [k!.trim().toLowerCase(), v.join('=').replace(/\s+/g, '')]),
  );
}

function judge(record: DnsRecord, found: string[]): Omit<RecordCheck, 'record' | 'found'> {
  switch (record.purpose) {
    case 'DKIM': {
      const wanted = tags(record.value).get('p');
      if (found.some((f) => tags(f).get('p') === wanted)) return { status: 'ok' };
      return found.length ? { status: 'different', detail: 'a record is there, with another public key: signatures with this key fail' } : { status: 'missing' };
    }
    case 'SPF': {
      const spf = found.filter((f) => /^v=spf1(\s|$)/i.test(f));
      if (spf.length > 1) return { status: 'different', detail: 'more than one SPF record: receivers treat that as an error (RFC 7208), merge them' };
      if (spf.length === 0) return { status: 'missing' };
      const hosts = [...record.value.matchAll(/a:(\S+)/g)].map((m) => m[1]!.toLowerCase());
      const missing = hosts.filter((h) => !spf[0]!.toLowerCase().includes(h));
      return missing.length && !/\binclude:/i.test(spf[0]!)
        ? { status: 'different', detail: `the SPF record does not name ${missing.join(', ')}` }
        : { status: 'ok' };
    }
    case 'DMARC': {
      const dmarc = found.filter((f) => /^v=DMARC1\s*(;|$)/i.test(f));
      if (dmarc.length === 1) return { status: 'ok' };
      return dmarc.length ? { status: 'different', detail: 'more than one DMARC record: receivers ignore them all' } : { status: 'missing' };
    }
  }
}

/** Looks each record up (TXT) and says whether the DNS holds it. */
export async function checkDnsRecords(records: readonly DnsRecord[], options: { servers?: readonly string[]; timeoutMs?: number } = {}): Promise<RecordCheck[]> {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3_000, tries: 2 });
  if (options.servers?.length) resolver.setServers([...options.servers]);
  return Promise.all(
    records.map(async (record): Promise<RecordCheck> => {
      let found: string[];
      try {
        found = (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') return { record, status: 'missing', found: [] };
        return { record, status: 'unresolved', found: [], detail: `the DNS did not answer (${code ?? (err as Error).message})` };
      }
      return { record, found, ...judge(record, found) };
    }),
  );
}
