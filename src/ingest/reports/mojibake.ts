/**
 * Undo UTF-8 that was read as cp1252 (`â€¦` → `…`, `âœ…` → `✅`) or as the OEM code page cp850
 * (`ÔÇª` → `…`, `Ô£à` → `✅`), as PowerShell and Python on Windows produce it (evidence-formats §2.2).
 * Only runs that form valid UTF-8 byte sequences are replaced, so correct text is left alone.
 */

const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';

function table(chars: string[]): Map<string, number> {
  const m = new Map<string, number>();
  chars.forEach((c, i) => m.set(c, 0x80 + i));
  return m;
}

const CP1252_DEC = new TextDecoder('windows-1252');
const CP1252 = table(Array.from({ length: 128 }, (_, i) => CP1252_DEC.decode(Uint8Array.of(0x80 + i))));
const CP850 = table([...CP850_HIGH]);

function seqLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function repairWith(s: string, map: Map<string, number>): string {
  const chars = [...s];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const lead = map.get(chars[i]);
    const n = lead === undefined ? 0 : seqLength(lead);
    if (n > 0 && i + n <= chars.length) {
      const bytes = [lead!];
      for (let k = 1; k < n; k++) {
        const b = map.get(chars[i + k]);
        if (b === undefined || b < 0x80 || b > 0xbf) break;
        bytes.push(b);
      }
      if (bytes.length === n) {
        try {
          out += UTF8.decode(Uint8Array.from(bytes));
          i += n - 1;
          continue;
        } catch {
          // not a valid sequence after all (overlong, surrogate): keep the characters
        }
      }
    }
    out += chars[i];
  }
  return out;
}

export function repairMojibake(s: string): string {
  // Every mojibake lead character is outside ASCII; most lines are pure ASCII.
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return repairWith(repairWith(s, CP1252), CP850);
}
