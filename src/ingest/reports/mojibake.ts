/**
 * Undo UTF-8 that was read as cp1252 (`â€¦` → `…`, `âœ…` → `✅`) or as the OEM code page cp850
 * (`ÔÇª` → `…`, `Ô£à` → `✅`), as PowerShell and Python on Windows produce it (evidence-formats §2.2).
 * Only runs that form valid UTF-8 byte sequences are replaced, so correct text is left alone.
 */

const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';

/** cp1252 0x80-0x9F; the five undefined bytes, like Latin-1 reads, come through as C1 controls. */
const CP1252_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function table(chars: string[]): Map<string, number> {
  const m = new Map<string, number>();
  chars.forEach((c, i) => m.set(c, 0x80 + i));
  return m;
}

// Node's TextDecoder treats windows-1252 as Latin-1, so the table is spelled out.
const CP1252 = table([...CP1252_80_9F, ...Array.from({ length: 96 }, (_, i) => String.fromCharCode(0xa0 + i))]);
// UTF-8 read as Latin-1 differs from cp1252 only in 0x80-0x9F, which become C1 controls.
for (let b = 0x80; b <= 0x9f; b++) CP1252.set(String.fromCharCode(b), b);
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
  // Every mojibake character is outside ASCII, and the two code pages read the same bytes
  // differently (cp1252 `Çª` is itself valid UTF-8 for `Ǫ`), so each non-ASCII run takes the
  // reading that collapses it most.
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return s.replace(/[^\x00-\x7f]+/g, (run) => {
    const a = repairWith(run, CP1252);
    const b = repairWith(run, CP850);
    return [...b].length < [...a].length ? b : a;
  });
}
