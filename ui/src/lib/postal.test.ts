import { describe, expect, it } from "vitest";
import { normalizePostalCode } from "./postal";

describe("normalizePostalCode", () => {
  it("writes 7 digits as NNN-NNNN, from full-width digits and any hyphen the IME gives", () => {
    expect(normalizePostalCode("1638001")).toBe("163-8001");
    expect(normalizePostalCode("１６３８００１")).toBe("163-8001");
    // The minus key with the IME on: 長音 ー, full-width －, minus sign −, hyphen ‐, dash ―.
    for (const h of ["ー", "－", "−", "‐", "―", "ｰ", "-"]) {
      expect(normalizePostalCode(`１６３${h}８００１`)).toBe("163-8001");
    }
    expect(normalizePostalCode("〒163-8001")).toBe("163-8001");
    expect(normalizePostalCode(" 163　8001 ")).toBe("163-8001");
  });

  it("leaves anything that is not 7 digits as typed (the domain check reports it)", () => {
    for (const text of ["", "163-800", "163-80011", "１６３ー８００", "163-800a", "東京都", "163-8001-1"]) {
      expect(normalizePostalCode(text)).toBe(text);
    }
  });
});
