import { describe, expect, it } from 'vitest';
import { eventScope } from './fields.js';
import { exactNeedlesOf, needlesOf } from './needles.js';
import { parseQuery } from './parser.js';

function needles(text: string) {
  const { ast, errors } = parseQuery(text);
  if (ast === undefined) throw new Error(errors[0]?.message);
  return needlesOf(ast.filter, eventScope());
}

describe('needles of a search filter', () => {
  it.each([
    ['user=Alice', [{ keys: ['user_name|actor_user'], values: ['Alice'] }]],
    ['src_ip=10.0.0.1', [{ keys: ['src_ip'], values: ['10.0.0.1'] }]],
    ['hostname IN (web1, WEB2)', [{ keys: ['device_hostname'], values: ['web1', 'WEB2'] }]],
    ['host="fw-1"', [{ keys: ['host'], values: ['fw-1'] }]],
    ['.device.hostname=web1', [{ keys: ['device_hostname'], values: ['web1'] }]],
    [
      'user=alice src_ip=10.0.0.1 status_id=2',
      [
        { keys: ['user_name|actor_user'], values: ['alice'] },
        { keys: ['src_ip'], values: ['10.0.0.1'] },
      ],
    ],
    ['src_ip=10.0.0.1 OR dst_ip=10.0.0.1', [{ keys: ['src_ip', 'dst_ip'], values: ['10.0.0.1'] }]],
    [
      '(src_ip=10.0.0.1 class_uid=4001) OR (user=bob mimikatz)',
      [{ keys: ['src_ip', 'user_name|actor_user'], values: ['10.0.0.1', 'bob'] }],
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

describe('needles that decide a match alone', () => {
  function exact(text: string) {
    const { ast } = parseQuery(text);
    if (ast === undefined) throw new Error(`cannot parse ${text}`);
    return exactNeedlesOf(ast.filter, eventScope());
  }

  it.each([
    ['user=alice', [{ keys: ['user_name|actor_user'], values: ['alice'] }]],
    [
      'user=alice src_ip IN (10.0.0.1, 10.0.0.2)',
      [
        { keys: ['user_name|actor_user'], values: ['alice'] },
        { keys: ['src_ip'], values: ['10.0.0.1', '10.0.0.2'] },
      ],
    ],
    [
      '(host=web1 AND dst_ip=10.1.1.1)',
      [
        { keys: ['host'], values: ['web1'] },
        { keys: ['dst_ip'], values: ['10.1.1.1'] },
      ],
    ],
  ])('%s', (text, expected) => {
    expect(exact(text)).toEqual(expected);
  });

  it('takes alternatives of one field as a list', () => {
    expect(exact('user=alice OR user IN (bob, carol) OR user=dave')).toEqual([
      { keys: ['user_name|actor_user'], values: ['alice', 'bob', 'carol', 'dave'] },
    ]);
  });

  it.each([
    'user=alice OR src_ip=10.0.0.1',
    'user=alice OR user_name=bob',
    'user=alice OR user=CASE(Bob)',
    'user=alice OR (user=bob class_uid=3002)',
    'user=alice mimikatz',
    'user=CASE(Alice)',
    'user=alice class_uid=3002',
    'user=ali*',
    'NOT user=alice',
    '*',
  ])('has none: %s', (text) => {
    expect(exact(text)).toBeUndefined();
  });
});
