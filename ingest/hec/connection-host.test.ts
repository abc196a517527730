import dns from 'node:dns';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { connectionHost, reverseName } from './connection-host.js';
import { MemorySink, MemoryTokenStore } from './memory.js';
import { startHecServer } from './server.js';
import type { HecToken } from './types.js';

const PEER = { remoteAddress: '10.1.2.3', hostHeader: 'hec.example.com:8088', forwardedFor: '' };

describe('connectionHost', () => {
  it.each([
    [undefined, PEER, 'hec.example.com:8088'],
    ['none', PEER, 'hec.example.com:8088'],
    ['none', { ...PEER, hostHeader: '' }, '10.1.2.3'],
    ['ip', PEER, '10.1.2.3'],
    ['proxied_ip', { ...PEER, forwardedFor: '203.0.113.7, 10.0.0.1' }, '203.0.113.7'],
    ['proxied_ip', { ...PEER, forwardedFor: 'not-an-address' }, '10.1.2.3'],
    ['proxied_ip', PEER, '10.1.2.3'],
    ['dns', PEER, '10.1.2.3'],
  ] as const)('%s', (mode, peer, expected) => {
    expect(connectionHost(mode, peer)).toBe(expected);
  });

  it('uses the looked-up name for dns', () => {
    expect(connectionHost('dns', PEER, 'sensor-1.example.com')).toBe('sensor-1.example.com');
  });
});

describe('connection_host over HEC', () => {
  it('sets the host of events without one per token', async () => {
    const token = (name: string, mode?: HecToken['connectionHost']): HecToken => ({
      id: name,
      name,
      disabled: false,
      defaultIndex: 'main',
      indexes: [],
      useAck: false,
      allowQueryStringAuth: false,
      ...(mode === undefined ? {} : { connectionHost: mode }),
    });
    const secrets = {
      none: '7a000000-0000-4000-8000-000000000001',
      ip: '7a000000-0000-4000-8000-000000000002',
      proxied: '7a000000-0000-4000-8000-000000000003',
      dns: '7a000000-0000-4000-8000-000000000004',
    };
    const sink = new MemorySink();
    const server = await startHecServer({
      host: '127.0.0.1',
      port: 0,
      tokens: new MemoryTokenStore([
        [secrets.none, token('none')],
        [secrets.ip, token('ip', 'ip')],
        [secrets.proxied, token('proxied', 'proxied_ip')],
        [secrets.dns, token('dns', 'dns')],
      ]),
      sink,
      logger: pino({ level: 'silent' }),
    });
    try {
      const send = async (secret: string, headers: Record<string, string> = {}) => {
        const response = await fetch(`http://127.0.0.1:${server.port}/services/collector/event`, {
          method: 'POST',
          headers: { Authorization: `Splunk ${secret}`, ...headers },
          body: '{"event":"x"}{"event":"y","host":"named"}',
        });
        expect(response.status).toBe(200);
        return sink.events.splice(0).map((event) => event.host);
      };
      expect(await send(secrets.none)).toEqual([`127.0.0.1:${server.port}`, 'named']);
      expect(await send(secrets.ip)).toEqual(['127.0.0.1', 'named']);
      expect(await send(secrets.proxied, { 'X-Forwarded-For': '198.51.100.4' })).toEqual([
        '198.51.100.4',
        'named',
      ]);
      // The loopback name comes from the hosts file, so the lookup stays on this machine.
      const expected = (await dns.promises.lookupService('127.0.0.1', 0)).hostname;
      expect(await reverseName('127.0.0.1')).toBe(expected);
      expect(await send(secrets.dns)).toEqual([expected, 'named']);
    } finally {
      await server.close();
    }
  });
});
