/**
 * The default host of events that name none, as Splunk's `connection_host` token setting
 * chooses it: the sender's address, its name, the first proxied address, or the `Host` header.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { ConnectionHost } from '../../storage/types.js';

/** Request details the handler read for choosing the host. */
export interface PeerInfo {
  remoteAddress: string;
  hostHeader: string;
  forwardedFor: string;
}

/** Picks the host for a connection; `peerName` is the result of `reverseName` for `dns`. */
export function connectionHost(
  mode: ConnectionHost | undefined,
  peer: PeerInfo,
  peerName?: string,
): string {
  switch (mode) {
    case 'ip':
      return peer.remoteAddress;
    case 'dns':
      return peerName ?? peer.remoteAddress;
    case 'proxied_ip': {
      // The client is the first address of the list; proxies append theirs.
      const first = peer.forwardedFor.split(',')[0]?.trim() ?? '';
      return net.isIP(first) !== 0 ? first : peer.remoteAddress;
    }
    default:
      return peer.hostHeader === '' ? peer.remoteAddress : peer.hostHeader;
  }
}

const NAME_TTL_MS = 10 * 60_000;
const LOOKUP_TIMEOUT_MS = 2000;
const MAX_CACHED_NAMES = 10_000;

const names = new Map<string, { name: string | undefined; expiresAt: number }>();

/**
 * Looks up the name of an address (the system resolver: the hosts file, then DNS), cached for
 * ten minutes. Resolves to undefined when there is none or the lookup takes over two seconds.
 */
export async function reverseName(
  address: string,
  nowMs = Date.now(),
): Promise<string | undefined> {
  const cached = names.get(address);
  if (cached !== undefined && cached.expiresAt > nowMs) return cached.name;
  if (net.isIP(address) === 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS);
  });
  const lookup = dns.promises.lookupService(address, 0).then(
    (found) => found.hostname,
    () => undefined,
  );
  const name = await Promise.race([lookup, timeout]);
  clearTimeout(timer);
  if (names.size >= MAX_CACHED_NAMES) names.clear();
  names.set(address, { name, expiresAt: nowMs + NAME_TTL_MS });
  return name;
}
