import { describe, expect, it } from 'vitest';
import { eventScope } from './fields.js';
import { needlesOf } from './needles.js';
import { parseQuery } from './parser.js';

function needles(text: string) {
  const { ast, errors } = parseQuery(text);
  if (ast === undefined) throw new Error(errors[0]?.message);
  return needlesOf(ast.filter, eventScope());
}

describe('needles of a search filter', () => {
  it.each([
    ['user=Alice', [{ columns: ['user_name', 'actor_user'], values: ['Alice'] }]],
    ['src_ip=10.0.0.1', [{ columns: ['src_ip'], values: ['10.0.0.1'] }]],
    ['hostname IN (web1, WEB2)', [{ columns: ['device_hostname'], values: ['web1', 'WEB2'] }]],
    ['host="fw-1"', [{ columns: ['host'], values: ['fw-1'] }]],
    ['.device.hostname=web1', [{ columns: ['device_hostname'], values: ['web1'] }]],
    [
      'user=alice src_ip=10.0.0.1 status_id=2',
      [
        { columns: ['user_name', 'actor_user'], values: ['alice'] },
        { columns: ['src_ip'], values: ['10.0.0.1'] },
      ],
    ],
    [
      'src_ip=10.0.0.1 OR dst_ip=10.0.0.1',
      [{ columns: ['src_ip', 'dst_ip'], values: ['10.0.0.1'] }],
    ],
    [
      '(src_ip=10.0.0.1 class_uid=4001) OR (user=bob mimikatz)',
      [{ columns: ['src_ip', 'user_name', 'actor_user'], values: ['10.0.0.1', 'bob'] }],
    ],
  ])('%s', (text, expected) => {
    expect(needles(text)).toEqual(expected);
  });

  it.each([
    'NOT user=alice',
    'user!=alice',
    'user=ali*',
    'src_ip=10.0.0.0/8',
    'user=alice OR mimikatz',
    'process=cmd.exe',
    '.actor.user.uid=42',
    'src_port=22',
    'mimikatz',
    '*',
  ])('has none: %s', (text) => {
    expect(needles(text)).toEqual([]);
  });
});
