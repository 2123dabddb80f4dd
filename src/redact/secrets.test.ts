import { describe, expect, it } from 'vitest';
import { Redactor, marker } from './secrets.js';

describe('Redactor.text', () => {
  it.each([
    ['url credentials', 'Error connecting to redis://:s3cr3tPw@cdb_redis:6379/0', 's3cr3tPw'],
    ['postgres url', 'DATABASE_URL=postgresql://claire_user:pgPass123@cdb_postgres:5432/claire', 'pgPass123'],
    ['env assignment', 'REDIS_PASSWORD=hunter2hunter2', 'hunter2hunter2'],
    ['json field', '{"api_key": "abcDEF123456", "symbol": "BTCUSDT"}', 'abcDEF123456'],
    ['redis-cli -a', 'docker exec cdb_redis redis-cli -a Zr9xPw44 PING', 'Zr9xPw44'],
    ['requirepass', 'redis-server --appendonly yes --requirepass "RqPass-77" --maxmemory 256mb', 'RqPass-77'],
    ['monitor AUTH', '1764449525.412345 [0 172.18.0.7:51234] "AUTH" "monitorPw99"', 'monitorPw99'],
    ['HELLO AUTH', '1764449525.412345 [0 172.18.0.7:51234] "HELLO" "3" "AUTH" "default" "helloPw42"', 'helloPw42'],
    ['bearer', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc', 'eyJhbGciOiJIUzI1NiJ9.abc'],
    ['mexc key in traceback', "  File \"x.py\", line 3, in f\n    client = Spot(key='mx0vglAbCdEf12345678')", 'mx0vglAbCdEf12345678'],
    ['dsn', 'POSTGRES_PASSWORD_DSN="host=x password=dsnPw321"', 'dsnPw321'],
  ])('%s is replaced', (_name, input, secret) => {
    const r = new Redactor();
    const out = r.text(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('‹redacted:');
  });

  it.each([
    ['state word', 'Redis password loaded: No'],
    ['prose auth failure', 'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.'],
    ['plain log', '2025-11-30 14:02:11,907 [INFO] risk_manager: 📨 Signal empfangen: BTC_USDT BUY'],
    ['auth required', '❌ Redis connection failed: Authentication required.'],
  ])('%s is left alone', (_name, input) => {
    expect(new Redactor().text(input)).toBe(input);
  });

  it('replaces every later occurrence of a learned secret, with the same marker', () => {
    const r = new Redactor();
    r.learn('plainSecretValue');
    const out = r.text('connecting with plainSecretValue and again plainSecretValue');
    expect(out).not.toContain('plainSecretValue');
    expect(out.split(marker('plainSecretValue')).length - 1).toBe(2);
  });

  it('gives the same marker for the same secret across patterns', () => {
    const r = new Redactor();
    const a = r.text('REDIS_PASSWORD=samePw1234');
    const b = r.text('redis://:samePw1234@cdb_redis:6379');
    expect(a).toContain(marker('samePw1234'));
    expect(b).toContain(marker('samePw1234'));
  });
});
