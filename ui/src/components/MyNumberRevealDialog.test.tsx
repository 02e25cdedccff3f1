import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { MyNumberRevealDialog, type RevealPurpose } from "./MyNumberRevealDialog";

function setup(error: string | null = null) {
  const onConfirm = vi.fn<(p: RevealPurpose, note: string) => void>();
  const onCancel = vi.fn();
  const user = userEvent.setup();
  render(<MyNumberRevealDialog busy={false} error={error} onCancel={onCancel} onConfirm={onConfirm} />);
  return { user, onConfirm, onCancel };
}

describe("MyNumberRevealDialog", () => {
  it("needs a purpose before revealing, and starts on キャンセル (the safe choice)", async () => {
    const { user, onConfirm } = setup();
    expect(screen.getByRole("button", { name: "キャンセル" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "表示する" }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.getByText("理由を選んでください。")).toBeInTheDocument();
    await user.click(screen.getByLabelText("届書（紙）との照合"));
    expect(screen.queryByText("理由を選んでください。")).toBeNull();
    await user.click(screen.getByRole("button", { name: "表示する" }));
    expect(onConfirm).toHaveBeenCalledWith("compare_with_paper", "");
  });

  it("「その他」 needs a note, and the note is passed on", async () => {
    const { user, onConfirm } = setup();
    await user.click(screen.getByLabelText("その他"));
    await user.click(screen.getByRole("button", { name: "表示する" }));
    expect(onConfirm).not.toHaveBeenCalled();
    const note = screen.getByTestId("my-number-reveal-note");
    expect(note).toHaveFocus();
    expect(note).toHaveAttribute("aria-invalid", "true");
    await user.type(note, "年金事務所からの照会");
    await user.click(screen.getByRole("button", { name: "表示する" }));
    expect(onConfirm).toHaveBeenCalledWith("other", "年金事務所からの照会");
  });

  it("shows the app's refusal and Esc cancels without revealing", async () => {
    const { user, onConfirm, onCancel } = setup("個人番号を表示できるのは所属所担当者と事務局審査担当だけです。");
    expect(screen.getByRole("alert")).toHaveTextContent("所属所担当者と事務局審査担当だけ");
    await user.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalled();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
