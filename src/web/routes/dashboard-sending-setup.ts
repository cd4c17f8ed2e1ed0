// Dashboard: the sending setup of the whole newsroom (the configuration's
// relays and DKIM, the DNS records to publish), for the newsroom's admins, and
// a check of those records against the DNS.
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { csrfToken, requireAccount, requireNewsroomAdmin, verifyCsrf } from '../auth/guard.ts';
import type { Account } from '../auth/accounts.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { sendingSetupPage, type RelayView } from '../pages/sending-setup-page.ts';
import { checkDnsRecords, dnsRecords, type DnsRecord, type RecordCheck } from '../../delivery/dns-records.ts';
import { parseRelayUrl } from '../../delivery/smtp-pool.ts';
import { mailDomainOf } from '../../delivery/send-message.ts';
import type { Config } from '../../config.ts';

/** A relay URL as the page may show it: host, port, TLS, user and limits; the password never. */
function relayView(url: string): RelayView {
  try {
    const r = parseRelayUrl(url);
    const security = r.secure ? 'TLS from the first byte (smtps)' : r.plaintext ? 'in clear (tls=none)' : `STARTTLS${r.rejectUnauthorized ? '' : ', certificate not verified (tls=insecure)'}`;
    const rate = (n: number, unit: string) => (Number.isFinite(n) ? `${n} a ${unit}` : `no limit a ${unit}`);
    return {
      address: r.description,
      security,
      ...(r.auth ? { user: r.auth.user } : {}),
      limits: `${r.poolSize} connection${r.poolSize === 1 ? '' : 's'}, ${rate(r.perSecond, 'second')}, ${rate(r.perHour, 'hour')}${r.weight === 1 ? '' : `, weight ${r.weight}`}`,
    };
  } catch (err) {
    // parseRelayUrl's messages quote the URL redacted (store/db.ts redact): no password.
    return { address: 'a relay', security: '', limits: '', problem: (err as Error).message };
  }
}

function relayHost(url: string): string | undefined {
  try {
    return parseRelayUrl(url).host;
  } catch {
    return undefined;
  }
}

/** GET /newsroom/settings/sending, POST /newsroom/settings/sending/check */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const config: Config = deps.config;

  const setup = async (): Promise<{ records: DnsRecord[]; dkimProblem?: string }> => {
    const base = {
      mailDomain: mailDomainOf({ dkimDomain: config.dkim?.domain, publicUrl: config.publicUrl }),
      relayHosts: config.smtpUrls.map(relayHost).filter((h): h is string => Boolean(h)),
      fromAddresses: (await desk.publications()).map((p) => p.settings.from),
    };
    try {
      return { records: dnsRecords({ ...base, ...(config.dkim ? { dkim: config.dkim } : {}) }) };
    } catch (err) {
      return { records: dnsRecords(base), dkimProblem: `DKIM_PRIVATE_KEY_FILE does not read as a private key (${(err as Error).message})` };
    }
  };

  const show = async (request: FastifyRequest, reply: FastifyReply, account: Account, checks?: RecordCheck[]) => {
    const csrf = csrfToken(request, reply, config);
    const { records, dkimProblem } = await setup();
    const body = sendingSetupPage({
      relays: config.smtpUrls.map(relayView),
      outboxDir: join(config.dataDir, 'outbox'),
      ...(config.dkim ? { dkim: { domain: config.dkim.domain, selector: config.dkim.selector } } : {}),
      ...(dkimProblem ? { dkimProblem } : {}),
      mailDomain: mailDomainOf({ dkimDomain: config.dkim?.domain, publicUrl: config.publicUrl }),
      records,
      ...(checks ? { checks } : {}),
      csrf,
    });
    return reply.type('text/html; charset=utf-8').send(newsroomPage({ title: 'Sending setup', account, csrf, current: 'publications', body }));
  };

  app.get('/newsroom/settings/sending', async (request, reply) => {
    const account = await requireAccount(request, deps);
    requireNewsroomAdmin(account, 'see the sending setup');
    return show(request, reply, account);
  });

  app.post('/newsroom/settings/sending/check', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, config);
    requireNewsroomAdmin(account, 'check the sending setup');
    const { records } = await setup();
    const checks = await checkDnsRecords(records, config.dnsServers ? { servers: config.dnsServers } : {});
    return show(request, reply, account, checks);
  });
};
