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

  it('reads the HEC reply settings', () => {
    const config = loadConfig(
      {
        TELHAWK_HEC_CORS_ORIGINS: 'https://*.example.com, !https://evil.example.com',
        TELHAWK_HEC_REPLY_HEADERS: 'X-Frame-Options=DENY, X-Team=soc team',
        TELHAWK_HEC_CHANNEL_COOKIE: 'hec_channel',
      },
      DEFAULTS,
    );
    expect(config.hecCorsOrigins).toEqual(['https://*.example.com', '!https://evil.example.com']);
    expect(config.hecReplyHeaders).toEqual({ 'X-Frame-Options': 'DENY', 'X-Team': 'soc team' });
    expect(config.hecChannelCookie).toBe('hec_channel');
  });

  it.each([
    ['TELHAWK_HEC_REPLY_HEADERS', 'Bad Name=x'],
    ['TELHAWK_HEC_REPLY_HEADERS', 'NoValue'],
    ['TELHAWK_HEC_CHANNEL_COOKIE', 'a=b'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value }, DEFAULTS)).toThrow(ConfigError);
  });

  it('names every invalid setting', () => {
    const load = () => loadConfig({ TELHAWK_RAW_DATA: 'yes', TELHAWK_HEC_PORT: '70000' }, DEFAULTS);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/TELHAWK_RAW_DATA="yes": use true or false/);
    expect(load).toThrow(/TELHAWK_HEC_PORT="70000"/);
  });
});
