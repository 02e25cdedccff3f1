import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AcquisitionAssessment, AcquisitionInput } from "../backend";
import { acquisitionOptions } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { AcquisitionEditor } from "./AcquisitionEditor";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

/** Rust's 郵便番号 check, as far as these tests need it. */
function assess(input: AcquisitionInput): AcquisitionAssessment {
  const postal = input.form.member?.postalCode ?? "";
  const findings =
    postal !== "" && !/^\d{3}-\d{4}$/.test(postal)
      ? [
          {
            field: "member.postalCode",
            code: "postal_code.format",
            severity: "error" as const,
            message: "郵便番号は7桁の数字で入力してください（例: 163-8001）。",
            acknowledged: false,
          },
        ]
      : [];
  return { findings, notes: [], grades: null, errors: findings.length, unacknowledged: 0 };
}

beforeEach(() => {
  resetMockApi();
  mockApi.checkAcquisition.mockImplementation(async (input) => assess(input));
});

function renderEditor() {
  const user = userEvent.setup();
  render(<AcquisitionEditor view={null} options={acquisitionOptions} onClose={vi.fn()} onChanged={vi.fn()} />);
  return { user };
}

/**
 * One IME composition as Chromium sends it: compositionstart, then for each step a
 * compositionupdate and the input it causes, then compositionend with the committed text.
 * `before` is what the field held before the composition.
 */
function imeType(input: HTMLElement, before: string, updates: string[], committed: string) {
  act(() => input.focus());
  fireEvent.compositionStart(input, { data: "" });
  for (const u of updates) {
    fireEvent.compositionUpdate(input, { data: u });
    fireEvent.change(input, { target: { value: before + u } });
  }
  fireEvent.compositionEnd(input, { data: committed });
}

/** Typing outside the IME (a space, Backspace): just the new value. */
function plainType(input: HTMLElement, value: string) {
  fireEvent.change(input, { target: { value } });
}

describe("フリガナ from the IME (autokana)", () => {
  it("fills the フリガナ in katakana from the readings of the 氏名 as it is typed", async () => {
    renderEditor();
    const name = screen.getByTestId("acq-member-name");
    const kana = screen.getByTestId("acq-member-nameKana");
    imeType(name, "", ["ｙ", "や", "やま", "やまd", "やまだ", "山田"], "山田");
    expect(name).toHaveValue("山田");
    expect(kana).toHaveValue("ヤマダ");
    plainType(name, "山田\u3000");
    imeType(name, "山田\u3000", ["た", "たろ", "たろう", "太郎"], "太郎");
    expect(name).toHaveValue("山田\u3000太郎");
    expect(kana).toHaveValue("ヤマダ\u3000タロウ");

    // A correction: 太郎 deleted (Backspace), 次郎 typed instead.
    plainType(name, "山田\u3000");
    expect(kana).toHaveValue("ヤマダ");
    imeType(name, "山田\u3000", ["じ", "じろう", "次郎"], "次郎");
    expect(kana).toHaveValue("ヤマダ\u3000ジロウ");

    // What the checks (and so the save) see carries the reading.
    act(() => screen.getByTestId("acq-member-nameKana").focus());
    await waitFor(() => {
      const last = mockApi.checkAcquisition.mock.lastCall?.[0];
      expect(last?.form.member?.nameKana).toBe("ヤマダ\u3000ジロウ");
    });
  });

  it("does not touch the フリガナ during the composition, only when it is committed", () => {
    renderEditor();
    const name = screen.getByTestId("acq-member-name");
    const kana = screen.getByTestId("acq-member-nameKana");
    fireEvent.compositionStart(name, { data: "" });
    fireEvent.compositionUpdate(name, { data: "やまだ" });
    fireEvent.change(name, { target: { value: "やまだ" } });
    expect(kana).toHaveValue("");
    fireEvent.compositionUpdate(name, { data: "山田" });
    fireEvent.change(name, { target: { value: "山田" } });
    expect(kana).toHaveValue("");
    fireEvent.compositionEnd(name, { data: "山田" });
    expect(kana).toHaveValue("ヤマダ");
  });

  it("never overwrites what the clerk typed in フリガナ, and starts again once it is emptied", async () => {
    const { user } = renderEditor();
    const name = screen.getByTestId("acq-member-name");
    const kana = screen.getByTestId("acq-member-nameKana");
    imeType(name, "", ["やまざき", "山崎"], "山崎");
    expect(kana).toHaveValue("ヤマザキ");
    // The clerk corrects the reading by hand.
    await user.clear(kana);
    await user.type(kana, "ヤマサキ");
    imeType(name, "山崎", ["はなこ", "花子"], "花子");
    expect(name).toHaveValue("山崎花子");
    expect(kana).toHaveValue("ヤマサキ");
    // Emptied by the clerk: the helper fills it again on the next change.
    await user.clear(kana);
    plainType(name, "山崎\u3000花子");
    expect(kana).toHaveValue("ヤマザキ\u3000ハナコ");
  });

  it("turns hiragana typed into フリガナ into katakana when the field is left", async () => {
    const { user } = renderEditor();
    const kana = screen.getByTestId("acq-member-nameKana");
    await user.type(kana, "さとう\u3000はなこ");
    expect(kana).toHaveValue("さとう\u3000はなこ");
    await user.tab();
    expect(kana).toHaveValue("サトウ\u3000ハナコ");
  });

  it("fills each dependant's フリガナ from that dependant's 氏名", async () => {
    const { user } = renderEditor();
    await user.click(screen.getByTestId("acq-dependant-add"));
    await user.click(screen.getByTestId("acq-dependant-add"));
    imeType(screen.getByTestId("acq-dependants-1-name"), "", ["やまだ", "山田"], "山田");
    plainType(screen.getByTestId("acq-dependants-1-name"), "山田\u3000");
    imeType(screen.getByTestId("acq-dependants-1-name"), "山田\u3000", ["さくら"], "さくら");
    expect(screen.getByTestId("acq-dependants-1-nameKana")).toHaveValue("ヤマダ\u3000サクラ");
    expect(screen.getByTestId("acq-dependants-0-nameKana")).toHaveValue("");
    expect(screen.getByTestId("acq-member-nameKana")).toHaveValue("");

    const kana0 = screen.getByTestId("acq-dependants-0-nameKana");
    await user.type(kana0, "はなこ");
    await user.tab();
    expect(kana0).toHaveValue("ハナコ");
  });
});

describe("郵便番号", () => {
  it("accepts full-width digits and the IME's hyphen, and writes NNN-NNNN when it is left", async () => {
    const { user } = renderEditor();
    const postal = screen.getByTestId("acq-member-postalCode");
    await user.type(postal, "１６３ー８００１");
    expect(postal).toHaveValue("１６３ー８００１");
    await user.tab();
    expect(postal).toHaveValue("163-8001");
    expect(screen.queryByTestId("acq-member-postalCode-findings")).not.toBeInTheDocument();
  });

  it("leaves a value that is not 7 digits as typed and shows the check's finding", async () => {
    const { user } = renderEditor();
    const postal = screen.getByTestId("acq-member-postalCode");
    await user.type(postal, "１６３ー８００");
    await user.tab();
    expect(postal).toHaveValue("１６３ー８００");
    expect(await screen.findByTestId("acq-member-postalCode-findings")).toHaveTextContent("郵便番号は7桁の数字で入力してください");
  });

  it("does not rewrite the value while the IME is composing; it is tidied once committed", () => {
    renderEditor();
    const postal = screen.getByTestId("acq-member-postalCode");
    act(() => postal.focus());
    fireEvent.compositionStart(postal, { data: "" });
    fireEvent.compositionUpdate(postal, { data: "１６３－８００１" });
    fireEvent.change(postal, { target: { value: "１６３－８００１" } });
    // Focus leaves while the IME still holds the text.
    act(() => screen.getByTestId("acq-member-address").focus());
    expect(document.activeElement).not.toBe(postal);
    expect(postal).toHaveValue("１６３－８００１");
    fireEvent.compositionEnd(postal, { data: "１６３－８００１" });
    expect(postal).toHaveValue("163-8001");
  });
});
