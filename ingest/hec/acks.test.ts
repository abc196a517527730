import { describe, expect, it } from 'vitest';
import { AckRegistry } from './acks.js';

const CHANNEL = '0b0c6d3e-43d4-4a33-9a0b-1f9c3e2c8a11';

describe('AckRegistry', () => {
  it('numbers ids per token and channel from 0', () => {
    const acks = new AckRegistry(1000);
    expect(acks.reserve('t1', CHANNEL, 0)).toBe(0);
    expect(acks.reserve('t1', CHANNEL, 0)).toBe(1);
    expect(acks.reserve('t2', CHANNEL, 0)).toBe(0);
  });

  it('reports true once after completion', () => {
    const acks = new AckRegistry(1000);
    const id = acks.reserve('t1', CHANNEL, 0);
    expect(acks.query('t1', CHANNEL, [id], 0)).toEqual({ '0': false });
    acks.complete('t1', CHANNEL, id);
    expect(acks.pendingCount()).toBe(1);
    expect(acks.query('t2', CHANNEL, [id], 0)).toEqual({ '0': false });
    expect(acks.query('t1', CHANNEL, [id, id], 0)).toEqual({ '0': true });
    expect(acks.query('t1', CHANNEL, [id], 0)).toEqual({ '0': false });
    expect(acks.pendingCount()).toBe(0);
  });

  it('answers false for a failed submission', () => {
    const acks = new AckRegistry(1000);
    const id = acks.reserve('t1', CHANNEL, 0);
    acks.fail('t1', CHANNEL, id);
    acks.complete('t1', CHANNEL, id);
    expect(acks.query('t1', CHANNEL, [id], 0)).toEqual({ '0': false });
  });

  it('drops idle channels with their ids', () => {
    const acks = new AckRegistry(1000);
    const id = acks.reserve('t1', CHANNEL, 0);
    acks.complete('t1', CHANNEL, id);
    expect(acks.sweep(1000)).toBe(0);
    expect(acks.sweep(1001)).toBe(1);
    expect(acks.channelCount()).toBe(0);
    expect(acks.query('t1', CHANNEL, [id], 1001)).toEqual({ '0': false });
    expect(acks.reserve('t1', CHANNEL, 1001)).toBe(0);
  });

  it('keeps a channel with a submission in progress', () => {
    const acks = new AckRegistry(1000);
    acks.reserve('t1', CHANNEL, 0);
    expect(acks.sweep(5000)).toBe(0);
  });

  it('polling keeps a channel alive', () => {
    const acks = new AckRegistry(1000);
    acks.complete('t1', CHANNEL, acks.reserve('t1', CHANNEL, 0));
    acks.query('t1', CHANNEL, [7], 900);
    expect(acks.sweep(1500)).toBe(0);
  });
});
