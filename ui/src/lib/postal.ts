/**
 * 郵便番号 as clerks type it: with the IME on they get full-width digits and, for the
 * hyphen, whatever the IME makes of the minus key (ー, －, −, ‐ …). Nothing is filtered
 * while typing; when the field is left, a value with exactly 7 digits becomes the
 * written form 「163-8001」. Anything else stays as typed so that the domain check can
 * say what is wrong with it.
 */

/** Every character a clerk may have meant as the hyphen of a 郵便番号. */
const HYPHENS = /[-‐‑‒–—―−ｰー－﹣⁃]/gu;

/**
 * 「１６３ー８００１」「〒163 8001」「1638001」 → 「163-8001」; anything without exactly 7
 * digits is returned unchanged.
 */
export function normalizePostalCode(text: string): string {
  const compact = text
    .normalize("NFKC")
    .trim()
    .replace(/^〒/u, "")
    .replace(HYPHENS, "")
    .replace(/\s+/gu, "");
  if (!/^\d{7}$/.test(compact)) return text;
  return `${compact.slice(0, 3)}-${compact.slice(3)}`;
}
