import { describe, expect, it } from "vitest";
import { errorMessage, t } from "./index";
import { ja } from "./ja";

describe("t", () => {
  it("fills parameters", () => {
    expect(t("settings.updatedAt", { when: "2024年4月1日 9:30" })).toBe("最終保存: 2024年4月1日 9:30");
  });

  it("uses Rust's message unless the catalogue overrides the code", () => {
    expect(errorMessage({ code: "wareki.unparseable", message: "和暦の日付として読み取れません。" })).toBe(
      "和暦の日付として読み取れません。",
    );
    expect(errorMessage({ code: "ipc.failed", message: "TypeError: x" })).toBe(ja["error.ipc.failed"]);
  });

  it("has no empty messages", () => {
    expect(Object.entries(ja).filter(([, text]) => text.trim() === "")).toEqual([]);
  });
});
