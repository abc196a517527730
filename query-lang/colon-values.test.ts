import { describe, expect, test } from 'vitest';
import { astToJson, parseQuery } from './index.js';

function filterOf(text: string): unknown {
  const result = parseQuery(text);
  expect(result.errors).toEqual([]);
  return (astToJson(result.ast!) as { filter?: unknown }).filter;
}

describe('bare values with colons, as in SPL', () => {
  test.each([
    ['sourcetype:aws:cloudtrail', { op: 'eq', field: 'sourcetype', value: 'aws:cloudtrail' }],
    [
      'sourcetype=XmlWinEventLog:Security',
      { op: 'eq', field: 'sourcetype', value: 'XmlWinEventLog:Security' },
    ],
    ['src_ip:fe80::/10', { op: 'cidr', field: 'src_ip', value: 'fe80::/10' }],
    ['dest=2001:db8::1', { op: 'eq', field: 'dest', value: '2001:db8::1' }],
    ['dest=::1', { op: 'eq', field: 'dest', value: '::1' }],
    ['sourcetype=pan:*', { op: 'startsWith', field: 'sourcetype', value: 'pan:' }],
  ])('%s', (text, expected) => {
    expect(filterOf(text)).toEqual(expected);
  });

  test('a value ends at white space', () => {
    expect(filterOf('sourcetype:aws:cloudtrail user:root')).toEqual({
      op: 'and',
      args: [
        { op: 'eq', field: 'sourcetype', value: 'aws:cloudtrail' },
        { op: 'eq', field: 'user', value: 'root' },
      ],
    });
  });

  test('IN lists take colon values', () => {
    expect(filterOf('sourcetype IN (aws:cloudtrail, pan:traffic)')).toEqual({
      op: 'in',
      field: 'sourcetype',
      values: ['aws:cloudtrail', 'pan:traffic'],
    });
  });

  test('host::foo is reported with a fix', () => {
    const { ast, errors } = parseQuery('host::foo');
    expect(ast).toBeUndefined();
    expect(errors[0]).toMatchObject({ code: 'syntax.double_colon', suggestion: 'host:foo' });
    expect(errors[0]!.message).toContain('host:foo');
  });
});
