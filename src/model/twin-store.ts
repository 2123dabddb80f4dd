import Database from 'better-sqlite3';

/** Rows per INSERT, and per SELECT when rows are read back while others are written. */
const CHUNK = 256;
/** Pairs per SELECT when they are read back. */
const READ_CHUNK = 4096;

export interface Mate {
  file_id: number;
  line_no: number;
}

/**
 * Where linkTwins keeps what it cannot hold in memory for a dump of millions of rows: each row of
 * a pair (its index in the dump's rows) with where its mate stands, and, when the dump must be
 * paired sorted, the timed rows of either writer. A private temporary database of its own (a file
 * SQLite deletes on close, no journal, no sync): the working database is not written, and the
 * pairs are read back through this connection while the model is written through the other.
 */
export class TwinStore {
  private readonly db = new Database('');
  private readonly pending: number[] = [];
  private readonly insertMany;
  private readonly insertOne;

  constructor() {
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec('CREATE TABLE pairs (k INTEGER PRIMARY KEY, file_id INTEGER, line_no INTEGER); BEGIN');
    const head = 'INSERT INTO pairs (k, file_id, line_no) VALUES ';
    this.insertMany = this.db.prepare(head + Array(CHUNK).fill('(?,?,?)').join(','));
    this.insertOne = this.db.prepare(head + '(?,?,?)');
  }

  /** Row `k` pairs with the row at file `file`, line `line`. */
  pair(k: number, file: number, line: number): void {
    this.pending.push(k, file, line);
    if (this.pending.length === 3 * CHUNK) {
      this.insertMany.run(this.pending);
      this.pending.length = 0;
    }
  }

  /** Forget every pair. */
  clear(): void {
    this.pending.length = 0;
    this.db.exec('DELETE FROM pairs');
  }

  /**
   * The pairs, asked for by ascending row index: `mateOf(k)` is where row k's mate stands, or
   * undefined. Pair no more rows after this.
   */
  mates(): (k: number) => Mate | undefined {
    for (let i = 0; i < this.pending.length; i += 3) this.insertOne.run(this.pending.slice(i, i + 3));
    this.pending.length = 0;
    // Read a chunk at a time: cheaper per row than an iterator's step.
    const next = this.db.prepare(`SELECT k, file_id, line_no FROM pairs WHERE k > ? ORDER BY k LIMIT ${READ_CHUNK}`).raw();
    let chunk: [number, number, number][] = [];
    let i = 0;
    let more = true;
    return (k) => {
      for (;;) {
        while (i < chunk.length && chunk[i][0] < k) i++;
        if (i < chunk.length) return chunk[i][0] === k ? { file_id: chunk[i][1], line_no: chunk[i][2] } : undefined;
        if (!more) return undefined;
        chunk = next.all(chunk.length > 0 ? chunk[chunk.length - 1][0] : -1) as [number, number, number][];
        i = 0;
        more = chunk.length === READ_CHUNK;
      }
    };
  }

  /**
   * Rows sorted by group, time and index, for a dump not written in time order: `put` each timed
   * row of either writer, then `sorted` gives them back (a chunk at a time, so that pairs may be
   * written meanwhile).
   */
  rows(): { put: (g: number, ms: number, role: number, k: number, file: number, line: number) => void; sorted: () => Iterable<[number, number, number, number, number, number]> } {
    const db = this.db;
    db.exec('DROP TABLE IF EXISTS rows; CREATE TABLE rows (g INTEGER, ms REAL, role INTEGER, k INTEGER, file_id INTEGER, line_no INTEGER)');
    const head = 'INSERT INTO rows (g, ms, role, k, file_id, line_no) VALUES ';
    const many = db.prepare(head + Array(CHUNK).fill('(?,?,?,?,?,?)').join(','));
    const one = db.prepare(head + '(?,?,?,?,?,?)');
    const pending: number[] = [];
    return {
      put(...row) {
        pending.push(...row);
        if (pending.length === 6 * CHUNK) {
          many.run(pending);
          pending.length = 0;
        }
      },
      *sorted() {
        for (let i = 0; i < pending.length; i += 6) one.run(pending.slice(i, i + 6));
        pending.length = 0;
        db.exec('CREATE INDEX rows_order ON rows (g, ms, k)');
        const next = db.prepare(`SELECT g, ms, role, k, file_id, line_no FROM rows WHERE (g, ms, k) > (?, ?, ?) ORDER BY g, ms, k LIMIT ${CHUNK}`).raw();
        let after: number[] = [-1, -Infinity, -1];
        for (;;) {
          const chunk = next.all(...after) as [number, number, number, number, number, number][];
          yield* chunk;
          if (chunk.length < CHUNK) break;
          const last = chunk[chunk.length - 1];
          after = [last[0], last[1], last[3]];
        }
        db.exec('DROP TABLE rows');
      },
    };
  }

  close(): void {
    this.db.close();
  }
}
