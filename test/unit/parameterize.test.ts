import { describe, it, expect } from 'vitest';
import { parameterize } from '../../src/domain/events/parameterize.js';

// Inputs and outputs follow Sentry's own parameterization test table (tests/sentry/grouping/).
const cases: [name: string, input: string, expected: string][] = [
  ['email', 'test@email.com', '<email>'],
  ['url', 'http://some.email.com/path?q=1', '<url>'],
  ['url with credentials, non-http scheme', 'tcp://user:pass@email.com:10', 'tcp://user:<email>:<int>'],
  ['hostname', 'www.example.net', '<hostname>'],
  ['ipv4', '10.0.0.12', '<ip>'],
  ['ipv4 with port', '0.0.0.0:80', '<ip>:<int>'],
  ['ipv6', 'fe80::1ff:fe23:4567:890a', '<ip>'],
  ['ipv6 loopback', '::1', '<ip>'],
  ['double colon path is not an ip', 'Option::unwrap()', 'Option::unwrap()'],
  ['double colon path with hex letters is not an ip', 'Bee::buzz()', 'Bee::buzz()'],
  [
    'traceparent',
    'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    'traceparent: <traceparent>',
  ],
  ['aws trace id', '1-67891233-abcdef012345678912345678', '<traceparent>'],
  ['uuid', '7c1811ed-e98f-4c9c-a9f9-58c757ff494f', '<uuid>'],
  ['uuids', 'bea691f2-2e25-4bec-6838-e0c44b03d60a/7c1811ed-e98f-4c9c-a9f9-58c757ff494f', '<uuid>/<uuid>'],
  ['sha1', '5fc35719b9cf96ec602dbc748ff31c587a46961d', '<sha1>'],
  ['md5', '0751007cd28df267e8e051b51f918c60', '<md5>'],
  ['iso date', '2024-02-20T22:16:36', '<date>'],
  ['rfc 3339 nano', '2006-01-02T15:04:05.999999999Z', '<date>'],
  ['rfc 3339 offset', '2006-01-02T15:04:05+07:00', '<date>'],
  ['plain date', '2006-01-02', '<date>'],
  ['datestamp', '2024-02-23 02:13:53.418', '<date>'],
  ['rfc 822', 'Mon, 02 Jan 06 15:04 MST', '<date>'],
  ['rfc 850', 'Monday, 02-Jan-06 15:04:05 MST', '<date>'],
  ['rfc 1123', 'Mon, 02 Jan 2006 15:04:05 -0700', '<date>'],
  ['js date', 'Mon Jan 02 2006 14:04:05 GMT-0800 (Pacific Standard Time)', '<date>'],
  ['js date without zone name', 'Mon Jan 02 2006 14:04:05 GMT+0000', '<date>'],
  ['long date', 'Jan 18, 2019', '<date>'],
  ['time', '15:04:05', '<date>'],
  ['kitchen time', '3:04PM', '<date>'],
  ['python datetime repr', 'datetime.datetime(2025, 6, 24, 18, 33, 0, 447640)', '<date>'],
  ['duration ms', '1000000ms', '<duration>'],
  ['duration s', '1.234s', '<duration>'],
  ['swift transaction id', 'tx274a77a8975c4a66aeb24-0052d95365', '<swift_txn_id>'],
  ['0x hex', '0xDEADBEEF', '<hex>'],
  ['8 hex chars', '9af8c3be', '<hex>'],
  ['24 hex chars', '9af8c3be3a1231fe1121acb1', '<hex>'],
  ['10 hex chars stay', '9af8c3be3a', '9af8c3be3a'],
  ['hex letters only stay a word', 'deadbeef', 'deadbeef'],
  ['float', '0.23', '<float>'],
  ['negative int', 'balance -5', 'balance <int>'],
  ['int', '23', '<int>'],
  ['int pair', '0:17502', '<int>:<int>'],
  ['int after punctuation', '{"msg" => "(#239323)', '{"msg" => "(#<int>)'],
  ['int in spaced quotes', "b = '1'", "b = '<int>'"],
  ['quoted string after =', 'b="0.0.0.0 1 a=True"', 'b=<quoted_str>'],
  ['mismatched quotes stay', `b='value"`, `b='value"`],
  ['bool after =', 'a=False', 'a=<bool>'],
  ['bool alone stays', 'true', 'true'],
  ['plain words stay', 'A quick brown fox', 'A quick brown fox'],
];

describe('parameterize', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(parameterize(input)).toBe(expected);
    expect(parameterize(`prefix ${input} suffix`)).toBe(`prefix ${expected} suffix`);
  });

  it('turns the variable parts of a realistic message into placeholders', () => {
    expect(parameterize('User 12345 not found at 2024-01-01T10:00:00Z')).toBe(
      'User <int> not found at <date>',
    );
    expect(
      parameterize(
        'Request to https://api.stripe.com/v1/charges failed after 2.5s for order 7c1811ed-e98f-4c9c-a9f9-58c757ff494f from 10.1.2.3',
      ),
    ).toBe('Request to <url> failed after <duration> for order <uuid> from <ip>');
    expect(parameterize("Couldn't find User with 'id'=42")).toBe("Couldn't find User with 'id'=<int>");
  });

  it('leaves identifiers with digits inside them alone', () => {
    expect(parameterize('utf8 v2 user_42 abc123 html5')).toBe('utf8 v2 user_42 abc123 html5');
  });

  it('is stable when applied twice', () => {
    for (const [, input] of cases) expect(parameterize(parameterize(input))).toBe(parameterize(input));
  });

  it('completes on 100 KB adversarial strings', () => {
    const size = 100_000;
    const inputs = [
      'a'.repeat(size),
      '1'.repeat(size),
      'a.'.repeat(size / 2),
      'a@'.repeat(size / 2),
      '1:'.repeat(size / 2),
      'ab:'.repeat(size / 3),
      '="'.repeat(size / 2),
      'f'.repeat(size) + '1',
      'Mon Jan '.repeat(size / 8),
      `${'x'.repeat(size)}@example.com`,
    ];
    for (const input of inputs) expect(typeof parameterize(input)).toBe('string');
    expect(parameterize('1.'.repeat(size / 2))).toMatch(/^(?:<float>\.|<ip>\.)/);
  });
});
