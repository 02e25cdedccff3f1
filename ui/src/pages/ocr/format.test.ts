import { describe, expect, it } from "vitest";
import { ocrField } from "../../test/fixtures";
import { confidenceLevel, digitOf, displayValue, maskMyNumber, percent1 } from "./format";

describe("OCR screen formats", () => {
  it("colours the confidence red under 60 %, amber under 85 %, green from 85 %", () => {
    expect(confidenceLevel(0.599)).toBe("low");
    expect(confidenceLevel(0.6)).toBe("mid");
    expect(confidenceLevel(0.849)).toBe("mid");
    expect(confidenceLevel(0.85)).toBe("high");
  });

  it("masks a 個人番号 to its last four digits, full-width digits included", () => {
    expect(maskMyNumber("1234 5678 9018")).toBe("●●●● ●●●● 9018");
    expect(maskMyNumber("１２３４５６７８９０１８")).toBe("●●●● ●●●● 9018");
  });

  it("shows a choice by its label and a blank as （空欄）", () => {
    const sex = ocrField({ field: "member.sex", label: "性別", kind: "choice", options: [{ value: "female", label: "女" }] });
    expect(displayValue(sex, "female", true)).toBe("女");
    expect(displayValue(sex, "", true)).toBe("（空欄）");
    const box = ocrField({ field: "dependent.present", label: "被扶養者あり", kind: "checkbox" });
    expect(displayValue(box, "true", true)).toBe("チェックあり");
  });

  it("reads a digit from the physical key when the IME turns the key into Process", () => {
    expect(digitOf({ key: "2", code: "Digit2" })).toBe(2);
    expect(digitOf({ key: "Process", code: "Digit3" })).toBe(3);
    expect(digitOf({ key: "２", code: "" })).toBe(2);
    expect(digitOf({ key: "a", code: "KeyA" })).toBeNull();
    expect(digitOf({ key: "0", code: "Digit0" })).toBeNull();
  });

  it("gives rates to a tenth of a per cent, — when there is none", () => {
    expect(percent1(0.0881)).toBe("8.8");
    expect(percent1(1)).toBe("100.0");
    expect(percent1(null)).toBe("—");
  });
});
