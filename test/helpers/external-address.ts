// This host's address on a real interface, to stand for a relay elsewhere: its
// bytes are not loopback ones, so the rules for credentials sent in clear to a
// relay that is not on this machine apply. Undefined on a host without one
// (the tests that need it are skipped, with the reason).
import { networkInterfaces } from 'node:os';

export const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
