import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../backend";
import { withPassword } from "../backend/guard";
import { AppStateProvider } from "../shell/appState";
import { LockProvider } from "../shell/lock";
import { onlineStatus, session } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const reauthRequired = () =>
  new BackendError("auth.reauth_required", "この操作の前に、本人確認のためパスワードをもう一度入力してください。");

/** A page behind the shell's password prompt, with an approval comment typed. */
function renderShell() {
  render(
    <AppStateProvider>
      <LockProvider>
        <textarea data-testid="comment" defaultValue="内容を確認しました。" />
      </LockProvider>
    </AppStateProvider>,
  );
}

beforeEach(() => {
  resetMockApi();
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
});

describe("the password prompt before 決裁", () => {
  it("asks, says when the password is wrong, and then the action goes through", async () => {
    const user = userEvent.setup();
    renderShell();
    const approve = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(reauthRequired())
      .mockResolvedValueOnce("承認しました");
    let result: Promise<string> = Promise.resolve("");
    act(() => {
      result = withPassword(approve);
    });
    const dialog = await screen.findByTestId("reauth-dialog");
    expect(dialog).toHaveTextContent("決裁と振込データの作成の前に");
    const field = screen.getByTestId("reauth-password");
    await waitFor(() => expect(field).toHaveFocus());

    // Empty: refused beside the field, nothing sent.
    await user.click(screen.getByTestId("reauth-confirm"));
    expect(await screen.findByText("パスワードを入力してください。")).toBeInTheDocument();
    expect(mockApi.reauthenticate).not.toHaveBeenCalled();

    mockApi.reauthenticate.mockRejectedValueOnce(
      new BackendError("auth.wrong_password", "パスワードが違います。あと 4 回間違えると、サインアウトします。"),
    );
    await user.type(field, "kyosai-dem0{Enter}");
    expect(await screen.findByTestId("reauth-error")).toHaveTextContent("あと 4 回");
    expect(field).toHaveValue("");
    expect(approve).toHaveBeenCalledTimes(1);

    mockApi.reauthenticate.mockResolvedValueOnce(undefined);
    await user.type(field, "kyosai-demo{Enter}");
    await expect(result).resolves.toBe("承認しました");
    expect(mockApi.reauthenticate).toHaveBeenLastCalledWith("kyosai-demo");
    expect(approve).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(screen.queryByTestId("reauth-dialog")).toBeNull());
    expect(screen.getByTestId("comment")).toHaveValue("内容を確認しました。");
  });

  it("does not confirm on the Enter that ends an IME conversion", async () => {
    renderShell();
    act(() => {
      void withPassword(() => Promise.reject(reauthRequired())).catch(() => {});
    });
    const field = await screen.findByTestId("reauth-password");
    fireEvent.change(field, { target: { value: "きょうさい" } });
    fireEvent.compositionStart(field);
    fireEvent.keyDown(field, { key: "Enter", keyCode: 229, isComposing: true });
    fireEvent.compositionEnd(field);
    fireEvent.keyDown(field, { key: "Enter", keyCode: 229 });
    expect(mockApi.reauthenticate).not.toHaveBeenCalled();
    mockApi.reauthenticate.mockResolvedValueOnce(undefined);
    fireEvent.keyDown(field, { key: "Enter", keyCode: 13 });
    await waitFor(() => expect(mockApi.reauthenticate).toHaveBeenCalledWith("きょうさい"));
  });

  it("gives the page its error back on Esc, and the comment stays", async () => {
    renderShell();
    const err = reauthRequired();
    const approve = vi.fn(() => Promise.reject(err));
    let result: Promise<unknown> = Promise.resolve();
    act(() => {
      result = withPassword(approve);
    });
    const field = await screen.findByTestId("reauth-password");
    fireEvent.keyDown(field, { key: "Escape" });
    await expect(result).rejects.toBe(err);
    expect(approve).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId("reauth-dialog")).toBeNull());
    expect(screen.getByTestId("comment")).toHaveValue("内容を確認しました。");
  });
});
