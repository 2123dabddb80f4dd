import { describe, expect, it } from 'vitest';
import { aggregateShape, baseTableName, identifyTable, knownTableInName, sanitizeTableName, tableFromColumns, uniqueColumnNames } from './table-identity.js';

const REAL = {
  signals: 'id,symbol,signal_type,price,confidence,timestamp,source,metadata',
  orders:
    'id,signal_id,symbol,side,order_type,price,size,approved,rejection_reason,status,filled_size,avg_fill_price,created_at,submitted_at,filled_at,metadata',
  trades: 'id,order_id,symbol,side,price,size,status,execution_price,slippage_bps,fees,timestamp,exchange,exchange_trade_id,metadata',
  portfolio_snapshots:
    'id,timestamp,total_equity,available_balance,margin_used,daily_pnl,total_unrealized_pnl,total_realized_pnl,total_exposure_pct,max_drawdown_pct,open_positions,metadata',
  positions:
    'id,symbol,side,size,entry_price,current_price,unrealized_pnl,realized_pnl,stop_loss_price,take_profit_price,liquidation_price,opened_at,updated_at,closed_at,metadata',
  schema_version: 'version,applied_at,description',
  runbook_trading_signals: 'signal_id,symbol,signal_type,confidence,price,timestamp',
  runbook_trading_signals_min: 'symbol,signal_type,confidence,timestamp',
  runbook_risk_events: 'signal_id,approved,reason,timestamp',
  fork_risk_events: 'id,timestamp_ms,symbol,decision,reason_code,contract_version,payload,decision_pk,input_snapshot_hash',
  blocked_decisions: 'decision_pk,signal_id,decision_id,symbol,reason_code,timestamp_ms,created_at,payload',
  correlation_ledger: 'event_pk,correlation_id,signal_id,decision_id,order_id,fill_id,event_type,symbol,timestamp_ms,created_at,payload',
  candles_1m: 'symbol,ts_ms,open,high,low,close,volume,trade_count,regime_id,ingested_at',
  runbook_trades: 'id,signal_id,symbol,side,price,quantity,timestamp',
  fork_trades: 'id,order_id,symbol,side,price,size,status,execution_price,slippage_bps,fees,timestamp,exchange,exchange_trade_id,metadata,realized_pnl',
};
const cols = (k: keyof typeof REAL): string[] => REAL[k].split(',');

describe('tableFromColumns', () => {
  it.each([
    ['signals', 'signals'],
    ['orders', 'orders'],
    ['trades', 'trades'],
    ['fork_trades', 'trades'],
    ['runbook_trades', 'trades'],
    ['portfolio_snapshots', 'portfolio_snapshots'],
    ['positions', 'positions'],
    ['schema_version', 'schema_version'],
    ['runbook_trading_signals', 'trading_signals'],
    ['runbook_trading_signals_min', 'trading_signals'],
    ['runbook_risk_events', 'risk_events'],
    ['fork_risk_events', 'risk_events'],
    ['blocked_decisions', 'blocked_decisions'],
    ['correlation_ledger', 'correlation_ledger'],
    ['candles_1m', 'candles_1m'],
  ] as const)('%s → %s', (k, table) => {
    expect(tableFromColumns(cols(k))?.table).toBe(table);
    // Column order and case do not matter.
    expect(tableFromColumns([...cols(k)].reverse().map((c) => c.toUpperCase()))?.table).toBe(table);
  });

  it.each([
    [['id', 'name'], null],
    [['NAME', 'IMAGE', 'SERVICE'], null],
    [['key', 'value'], null],
  ])('%j matches no table', (c, t) => {
    expect(tableFromColumns(c)).toBe(t);
  });

  it('signal columns without a tell follow the name', () => {
    const c = ['symbol', 'signal_type', 'confidence', 'price', 'timestamp'];
    expect(tableFromColumns(c)?.table).toBe('signals');
    expect(tableFromColumns(c, 'trading_signals')?.table).toBe('trading_signals');
  });
});

describe('identifyTable', () => {
  it.each([
    ['signals.csv', 'signals', 'signals', 'columns', false],
    ['trades_2025-12-01.csv', 'trades', 'trades', 'columns', false],
    ['export_orders.csv', 'orders', 'orders', 'columns', false],
    ['trading_signals.csv', 'runbook_trading_signals', 'trading_signals', 'columns', false],
    ['risk_events.csv', 'runbook_risk_events', 'risk_events', 'columns', false],
    ['x.txt', 'orders', 'orders', 'columns', false],
    ['signals.csv', 'trades', 'trades', 'columns', true], // name and columns disagree: columns win, with a note
    ['trading_signals.csv', 'signals', 'signals', 'columns', true],
  ] as const)('%s with %s columns → %s', (file, k, table, by, noted) => {
    const id = identifyTable(file, cols(k));
    expect(id.table).toBe(table);
    expect(id.by).toBe(by);
    expect(id.note !== null).toBe(noted);
  });

  it('unknown columns: a known table in the file name, else the sanitized file name', () => {
    expect(identifyTable('export_orders.csv', ['a', 'b'])).toMatchObject({ table: 'orders', by: 'name' });
    const id = identifyTable('dir/My Notes 2025-12-22.CSV', ['a', 'b']);
    expect(id).toMatchObject({ table: 'my_notes', by: 'file' });
    expect(id.note).toMatch(/a, b/);
  });

  it('a table named by the query is preferred to the file name', () => {
    expect(identifyTable('signals.txt', ['a', 'b'], 'public.Candles_5m')).toMatchObject({ table: 'public_candles_5m', by: 'name' });
    expect(identifyTable('signals.txt', ['symbol', 'signal_type', 'confidence', 'price'], 'trading_signals').table).toBe('trading_signals');
  });
});

describe('names', () => {
  it.each([
    ['signals.csv', 'signals'],
    ['trades_2025-12-01.csv', 'trades'],
    ['20251201_orders.csv', 'orders'],
    ['orders-20251201T0000Z.csv.gz', 'orders'],
    ['export_orders.csv', 'export_orders'],
    ['x.txt', 'x'],
    ['2025-12-01.csv', 't_2025_12_01'],
    ['Trading Signals (3).tsv', 'trading_signals'],
    ['candles_1m.csv', 'candles_1m'],
    ['bundle.tgz!/db/risk_events.csv', 'risk_events'],
  ])('baseTableName(%s) = %s', (f, t) => {
    expect(baseTableName(f)).toBe(t);
  });

  it.each([
    ['export_orders.csv', 'orders'],
    ['trading_signals_2025.csv', 'trading_signals'],
    ['my_signals.csv', 'signals'],
    ['notes.csv', null],
    ['ordersx.csv', null],
  ])('knownTableInName(%s) = %s', (f, t) => {
    expect(knownTableInName(f)).toBe(t);
  });

  it.each([
    ['public.Trading Signals', 'public_trading_signals'],
    ['"Orders"', 'orders'],
    ['', 'unnamed'],
    ['1st', 't_1st'],
    ['ä-ö', 'unnamed'],
  ])('sanitizeTableName(%j) = %s', (n, t) => {
    expect(sanitizeTableName(n)).toBe(t);
  });

  it('uniqueColumnNames renames repeats case-insensitively and names blanks', () => {
    expect(uniqueColumnNames(['id', 'ID', 'id', '', 'x'])).toEqual({
      keys: ['id', 'ID_2', 'id_3', 'column_4', 'x'],
      renamed: ['ID → ID_2', 'id → id_3'],
    });
  });
});

describe('aggregateShape / identifyTable: aggregates are query results, not rows', () => {
  it.each([
    // the case: orders counted per day and status, named after orders
    { file: 'orders_per_day.csv', cols: 'day,status,approved,count', table: 'query_orders' },
    { file: 'x.csv', cols: 'symbol,side,sum_size,n_orders', table: 'query_x' },
    { file: 'signals.csv', cols: 'symbol,signal_count', table: 'query_signals' },
    { file: 'stats.csv', cols: 'status,count(*)', table: 'query_stats' },
  ])('$cols ($file) → $table', ({ file, cols: c, table }) => {
    const columns = c.split(',');
    expect(aggregateShape(columns)).not.toBeNull();
    const id = identifyTable(file, columns);
    expect(id.table).toBe(table);
    expect(id.note).toMatch(/aggregate .*stored as query result/);
  });

  it.each([
    // real tables with count-like columns keep their rows: they have an id or a time
    ['orders', 'orders'],
    ['candles_1m', 'candles_1m'],
    ['portfolio_snapshots', 'portfolio_snapshots'],
    ['runbook_trading_signals', 'trading_signals'],
  ] as const)('%s stays %s', (k, table) => {
    expect(aggregateShape(cols(k))).toBeNull();
    expect(identifyTable('export.csv', cols(k)).table).toBe(table);
  });

  it('a psql query that aggregates names a query_ table even when the columns look like a known table', () => {
    expect(identifyTable('notes.txt', cols('orders'), 'query_orders').table).toBe('query_orders');
    expect(identifyTable('notes.txt', cols('orders'), 'orders').table).toBe('orders');
  });
});
