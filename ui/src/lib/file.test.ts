import { describe, expect, it } from "vitest";
import { bytesToBase64, readFileBase64 } from "./file";

describe("file", () => {
  it("encodes bytes as base64, also past one chunk", () => {
    expect(bytesToBase64(new Uint8Array([0x3c, 0x3f, 0x78]))).toBe("PD94");
    const big = new Uint8Array(0x8000 * 2 + 3).fill(0x41);
    expect(atob(bytesToBase64(big))).toHaveLength(big.length);
    // Every byte value survives (a 100 KB CSV as the import page sends it).
    const csv = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(Uint8Array.from(atob(bytesToBase64(csv)), (c) => c.charCodeAt(0))).toEqual(csv);
  });

  it("reads a chosen file (UTF-8 XML) as base64", async () => {
    const file = new File(["<Invoice>請求</Invoice>"], "invoice.xml", { type: "application/xml" });
    const data = await readFileBase64(file);
    expect(new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)))).toBe("<Invoice>請求</Invoice>");
  });
});
