/**
 * The read-only evidence bundle as the rest of the tool sees it. Nothing here writes to the
 * bundle; archive members are streamed from the archive, never extracted.
 */

/** One decoded line. `lineNo` is 1-based and counts physical lines of the decoded file. */
export interface Line {
  text: string;
  lineNo: number;
}

/** Why the decoder itself refused a line; the parser never sees such a line. */
export interface DecodeIssue {
  lineNo: number;
  reason: string;
  excerpt: string;
}

export type Encoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'cp1252';

export interface FileHead {
  /** Display path (`dir/file.log` or `bundle.tgz!/dir/file.log`). */
  path: string;
  /** Base name with a trailing `.gz` removed, used by name pre-filters. */
  name: string;
  /** Decoded text of the first bytes (at most HEAD_BYTES of the decompressed content), `\n` line ends, ANSI stripped. */
  text: string;
  /** `text` split into lines (the last may be partial when the file is longer than the head). */
  lines: string[];
  encoding: Encoding;
  /** True when the head looks binary (NUL bytes or many control characters in UTF-8/cp1252 content). */
  binary: boolean;
  /** True when `text` holds the whole file. */
  complete: boolean;
}

export interface BundleFile {
  /** Display path, unique in the bundle. */
  path: string;
  /** Path inside the bundle root (or inside the archive) with `/` separators. */
  relPath: string;
  /** Size in bytes as stored (compressed size for `.gz` files). */
  bytes: number;
  gzip: boolean;
  /** Modification time (ISO 8601 UTC) from the file system or the archive header, when known; lets re-ingest spot changed files. */
  mtime?: string;
}

/** A refused archive entry or directory entry (link, device, `../x`, absolute name). */
export interface RefusedEntry {
  path: string;
  reason: string;
}

export interface ReadResult {
  /**
   * Physical lines of the decoded file: the ones delivered, the ones the decoder refused itself, and
   * any the reader never took (finish() counts those), so a reader that stops early leaves lines unaccounted.
   */
  lines: number;
  sha256: string;
  bytes: number;
  /** Set when the stream ended in an error (truncated gzip, read error); lines before it were delivered. */
  error?: string;
  /** Something about how the bytes were read that the manifest should say (a zip header that gave a wrong size). */
  note?: string;
}
