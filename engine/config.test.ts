import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const DEFAULTS = { uiDir: '/ui' };

describe('loadConfig', () => {
  it('uses the embedded defaults', () => {
    const config = loadConfig({}, DEFAULTS);
    expect(config.hecPort).toBe(8088);
    expect(config.httpPort).toBe(8000);
    expect(config.rawData).toBe(false);
  });

  it('reads TELHAWK_RAW_DATA as a boolean', () => {
    expect(loadConfig({ TELHAWK_RAW_DATA: 'true' }, DEFAULTS).rawData).toBe(true);
    expect(loadConfig({ TELHAWK_RAW_DATA: '0' }, DEFAULTS).rawData).toBe(false);
  });

  it('names every invalid setting', () => {
    const load = () => loadConfig({ TELHAWK_RAW_DATA: 'yes', TELHAWK_HEC_PORT: '70000' }, DEFAULTS);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/TELHAWK_RAW_DATA="yes": use true or false/);
    expect(load).toThrow(/TELHAWK_HEC_PORT="70000"/);
  });
});
