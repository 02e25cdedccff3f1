/**
 * フリガナ from the IME ("autokana"): while a clerk types a kanji name, the IME shows
 * the reading in hiragana before it converts (compositionupdate 「やまだ」 → 「山田」).
 * A {@link KanaTracker} keeps, for every committed segment, the last hiragana-only
 * composition string, and reads the name field's current value back as katakana from
 * those segments — in the order they stand in the value, so corrections in the middle
 * and deletions still give the right reading.
 *
 * It is a guess from the IME, not a dictionary: a segment committed without a hiragana
 * stage (pasted, chosen from predictions before any kana) has no reading and is left
 * out. The form only fills フリガナ while the clerk has not typed there; Rust checks
 * the result like anything typed.
 */

const HIRAGANA_START = 0x3041;
const HIRAGANA_END = 0x3096;

/** 「やまだ\u3000たろう」 → 「ヤマダ\u3000タロウ」; ゝゞ too. Everything else is kept as it is. */
export function hiraganaToKatakana(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c >= HIRAGANA_START && c <= HIRAGANA_END) || c === 0x309d || c === 0x309e) {
      out += String.fromCodePoint(c + 0x60);
    } else {
      out += ch;
    }
  }
  return out;
}

function isHiragana(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= HIRAGANA_START && c <= HIRAGANA_END) || c === 0x309d || c === 0x309e || ch === "ー";
}

function isKatakana(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x30a1 && c <= 0x30fa) || c === 0x30fc || c === 0x30fd || c === 0x30fe;
}

/**
 * True for a composition string that is a reading: hiragana (and ー, spaces) only, with at
 * least one kana. 「やまだ」 yes; 「やまd」「山田」「ｙ」 no.
 */
export function isHiraganaReading(text: string): boolean {
  let kana = false;
  for (const ch of text) {
    if (isHiragana(ch)) kana = true;
    else if (!/\s/u.test(ch)) return false;
  }
  return kana;
}

/** A piece of the name committed by the IME and how it was read. */
export interface Segment {
  text: string;
  /** Hiragana (or the committed kana itself). */
  reading: string;
}

/** Most segments remembered for one field (a name has a handful). */
const MAX_SEGMENTS = 64;

/**
 * Follows the IME on one name field. Call {@link start}, {@link update} and {@link end}
 * from compositionstart / compositionupdate / compositionend, then {@link reading} with
 * the field's value (after compositionend and after any change outside a composition).
 */
export class KanaTracker {
  private segments: Segment[] = [];
  private lastReading = "";
  private active = false;

  /** Whether a composition is under way (the value then holds unconverted text). */
  get composing(): boolean {
    return this.active;
  }

  start(): void {
    this.active = true;
    this.lastReading = "";
  }

  /** compositionupdate: keeps the data when it is still the hiragana reading. */
  update(data: string): void {
    this.active = true;
    if (isHiraganaReading(data)) this.lastReading = data;
  }

  /**
   * compositionend with the committed text: remembers it with the last hiragana seen
   * (or the text itself, when it was committed as kana). Empty data is a cancelled
   * composition.
   */
  end(data: string): void {
    this.active = false;
    const reading = this.lastReading;
    this.lastReading = "";
    const text = data.trim();
    if (text === "") return;
    let own = true;
    for (const ch of text) {
      if (!isHiragana(ch) && !isKatakana(ch) && !/\s/u.test(ch)) own = false;
    }
    const segment = { text, reading: own ? text : reading };
    if (segment.reading === "") return;
    this.segments.push(segment);
    if (this.segments.length > MAX_SEGMENTS) this.segments.splice(0, this.segments.length - MAX_SEGMENTS);
  }

  /** Forgets everything (the field was cleared or replaced from outside). */
  reset(): void {
    this.segments = [];
    this.lastReading = "";
    this.active = false;
  }

  /** The segments remembered, oldest first (for tests and debugging). */
  remembered(): readonly Segment[] {
    return this.segments;
  }

  /**
   * The reading of `value` in full-width katakana: each part of the value that is a
   * remembered segment gives its reading (the longest match, the latest on a tie), kana
   * typed outside the IME read as themselves, white space becomes one full-width space,
   * and anything else (a kanji whose reading was never seen) is left out. Segments no
   * longer in the value are forgotten.
   */
  reading(value: string): string {
    if (value.trim() === "") {
      this.segments = [];
      return "";
    }
    const used = new Set<number>();
    let out = "";
    let i = 0;
    while (i < value.length) {
      let best = -1;
      for (let k = this.segments.length - 1; k >= 0; k--) {
        const s = this.segments[k];
        if (!s || !value.startsWith(s.text, i)) continue;
        const current = best >= 0 ? this.segments[best] : undefined;
        if (!current || s.text.length > current.text.length) best = k;
      }
      const match = best >= 0 ? this.segments[best] : undefined;
      if (match) {
        used.add(best);
        out += match.reading;
        i += match.text.length;
        continue;
      }
      const ch = value.charAt(i);
      if (/\s/u.test(ch)) out += "\u3000";
      else if (isHiragana(ch) || isKatakana(ch)) out += ch;
      i += 1;
    }
    this.segments = this.segments.filter((_, k) => used.has(k));
    return hiraganaToKatakana(out.replace(/[\s\u3000]+/gu, "\u3000").replace(/^\u3000|\u3000$/gu, ""));
  }
}
