const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const UNITS = ['', '十', '百', '千'];

/**
 * A positive integer below 100 000 000 in Chinese numerals as official documents number their
 * items: 1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 101 → 一百零一, 10 010 → 一万零一十.
 */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n >= 100_000_000) throw new RangeError(`chineseNumeral: ${n} is not an integer from 1 to 99 999 999`);
  const high = Math.floor(n / 10_000);
  const low = n % 10_000;
  if (high === 0) return below10k(low, false);
  const head = below10k(high, false) + '万';
  if (low === 0) return head;
  return head + (low < 1000 ? '零' : '') + below10k(low, true);
}

/** 1–9999; `inner` keeps the 一 of 一十 (一万零一十, not 一万零十). */
function below10k(n: number, inner: boolean): string {
  const digits = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  digits.forEach((d, i) => {
    const unit = UNITS[digits.length - 1 - i];
    if (d === 0) {
      zero = out !== '';
      return;
    }
    if (zero) out += '零';
    zero = false;
    out += d === 1 && unit === '十' && out === '' && !inner ? '' : DIGITS[d];
    out += unit;
  });
  return out;
}

/** A calendar day YYYY-MM-DD as documents write it: 2026-07-03 → 2026年7月3日. */
export function chineseDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Minutes as hours for a reader: one decimal, none when whole (90 → 1.5, 120 → 2). */
export function hoursText(minutes: number): string {
  const tenths = Math.round(minutes / 6);
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
}
