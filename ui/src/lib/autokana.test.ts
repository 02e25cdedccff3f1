import { describe, expect, it } from "vitest";
import { hiraganaToKatakana, isHiraganaReading, KanaTracker } from "./autokana";

/** One IME composition: the updates as the IME shows them, then the committed text. */
function compose(tracker: KanaTracker, updates: string[], committed: string) {
  tracker.start();
  for (const u of updates) tracker.update(u);
  tracker.end(committed);
}

describe("hiraganaToKatakana", () => {
  it("converts hiragana and keeps everything else", () => {
    expect(hiraganaToKatakana("やまだ　たろう")).toBe("ヤマダ　タロウ");
    expect(hiraganaToKatakana("ゔぁいおりん・ゝゞ")).toBe("ヴァイオリン・ヽヾ");
    expect(hiraganaToKatakana("すずき ABC 山田 ー １")).toBe("スズキ ABC 山田 ー １");
    expect(hiraganaToKatakana("ヤマダ")).toBe("ヤマダ");
  });
});

describe("isHiraganaReading", () => {
  it("accepts only hiragana (with ー and spaces)", () => {
    expect(isHiraganaReading("やまだ")).toBe(true);
    expect(isHiraganaReading("ゆーすけ")).toBe(true);
    expect(isHiraganaReading("やまだ　たろう")).toBe(true);
    expect(isHiraganaReading("やまd")).toBe(false);
    expect(isHiraganaReading("ｙ")).toBe(false);
    expect(isHiraganaReading("山田")).toBe(false);
    expect(isHiraganaReading("山だ")).toBe(false);
    expect(isHiraganaReading("　")).toBe(false);
    expect(isHiraganaReading("")).toBe(false);
  });
});

describe("KanaTracker", () => {
  it("takes the last hiragana before the conversion (romaji on the way is ignored)", () => {
    const t = new KanaTracker();
    compose(t, ["ｙ", "や", "やm", "やま", "やまd", "やまだ", "山田"], "山田");
    expect(t.reading("山田")).toBe("ヤマダ");
  });

  it("reads a full name typed in two compositions with a space between", () => {
    const t = new KanaTracker();
    compose(t, ["や", "やま", "やまだ", "山田"], "山田");
    expect(t.reading("山田")).toBe("ヤマダ");
    // The full-width space typed outside the IME, then the given name.
    expect(t.reading("山田　")).toBe("ヤマダ");
    compose(t, ["た", "たろ", "たろう", "太郎"], "太郎");
    expect(t.reading("山田　太郎")).toBe("ヤマダ　タロウ");
    expect(t.reading("山田 太郎")).toBe("ヤマダ　タロウ");
  });

  it("reads several clauses converted in one composition", () => {
    const t = new KanaTracker();
    compose(t, ["やまだたろう", "山田たろう", "山田太郎"], "山田太郎");
    expect(t.reading("山田太郎")).toBe("ヤマダタロウ");
  });

  it("keeps kana committed as they are", () => {
    const t = new KanaTracker();
    compose(t, ["さ", "さくら"], "さくら");
    expect(t.reading("さくら")).toBe("サクラ");
    const k = new KanaTracker();
    compose(k, ["まりあ", "マリア"], "マリア");
    expect(k.reading("マリア")).toBe("マリア");
  });

  it("follows corrections: a deleted segment is forgotten and its replacement read", () => {
    const t = new KanaTracker();
    compose(t, ["やまだ", "山田"], "山田");
    compose(t, ["たろう", "太郎"], "太郎");
    expect(t.reading("山田太郎")).toBe("ヤマダタロウ");
    expect(t.reading("山田")).toBe("ヤマダ");
    compose(t, ["じろう", "次郎"], "次郎");
    expect(t.reading("山田次郎")).toBe("ヤマダジロウ");
    expect(t.remembered().map((s) => s.text)).toEqual(["山田", "次郎"]);
    // A segment inserted before another is read in the order of the value.
    compose(t, ["なかむら", "中村"], "中村");
    expect(t.reading("中村山田次郎")).toBe("ナカムラヤマダジロウ");
  });

  it("reads the same kanji by the latest reading typed", () => {
    const t = new KanaTracker();
    compose(t, ["なかた", "中田"], "中田");
    expect(t.reading("中田")).toBe("ナカタ");
    t.reading("");
    compose(t, ["なかだ", "中田"], "中田");
    expect(t.reading("中田")).toBe("ナカダ");
  });

  it("leaves out what it never saw a reading for, and ignores a cancelled composition", () => {
    const t = new KanaTracker();
    compose(t, ["やまだ", "山田"], "山田");
    // 佐藤 pasted: no reading.
    expect(t.reading("佐藤　山田")).toBe("ヤマダ");
    compose(t, ["た", "たろ"], "");
    expect(t.reading("佐藤　山田")).toBe("ヤマダ");
    // Committed without a hiragana stage (a prediction picked at once).
    compose(t, ["太郎"], "太郎");
    expect(t.reading("山田太郎")).toBe("ヤマダ");
  });

  it("says when it is composing and forgets everything when the field is cleared", () => {
    const t = new KanaTracker();
    expect(t.composing).toBe(false);
    t.start();
    t.update("やまだ");
    expect(t.composing).toBe(true);
    t.update("山田");
    t.end("山田");
    expect(t.composing).toBe(false);
    expect(t.reading("")).toBe("");
    expect(t.remembered()).toEqual([]);
    expect(t.reading("山田")).toBe("");
  });
});
