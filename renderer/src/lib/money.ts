/** "12.34" (dollars typed by a human) → 1234 cents, or null when it is not a positive amount. */
export function parseDollarsToCents(text: string): number | null {
  const t = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (!/^\d+(\.\d{0,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return Number.isSafeInteger(cents) && cents > 0 ? cents : null;
}

export function centsToDollarInput(cents: number): string {
  return (cents / 100).toFixed(2);
}
