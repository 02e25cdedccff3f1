import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { BackendError } from "../backend";
import { onlineStatus, savedSettings, session, signedOutStatus } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const wrongPassword = "利用者IDまたはパスワードが違います。確かめてもう一度入力してください。";
const unsentWork =
  "まだサーバーに届いていない作業（送信待ち 3 件、競合 1 件）があるため、サインアウトできません。同期が終わるのを待つか、競合・差戻しの記録を確認して反映または破棄してから、もう一度サインアウトしてください。";

beforeEach(() => {
  resetMockApi();
  mockApi.getSettings.mockResolvedValue(savedSettings);
  mockApi.syncStatus.mockResolvedValue(signedOutStatus);
  window.location.hash = "#/signin";
});

async function renderSignIn() {
  const user = userEvent.setup();
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "サインイン" });
  const userId = await screen.findByRole("textbox", { name: "利用者ID" });
  const password = screen.getByLabelText("パスワード");
  return { user, userId, password };
}

describe("SignInPage (signed out)", () => {
  it("has a user id and a password field named by their keys, and サインイン at the bottom right", async () => {
    const { userId, password } = await renderSignIn();
    expect(userId).toHaveAttribute("name", "userId");
    expect(userId).toHaveAttribute("data-testid", "signin-user");
    expect(userId).toHaveAttribute("autocomplete", "off");
    expect(password).toHaveAttribute("name", "password");
    expect(password).toHaveAttribute("type", "password");
    expect(password).toHaveAttribute("autocomplete", "off");
    expect(password).toHaveAttribute("data-testid", "signin-password");
    const submit = screen.getByTestId("signin-submit");
    expect(submit).toHaveTextContent("サインイン");
    expect(submit).toHaveAttribute("type", "submit");
    // Alt+6 opens this page; the menu calls it サインイン while nobody is signed in.
    const nav = screen.getByRole("navigation", { name: "業務メニュー" });
    expect(within(nav).getByRole("link", { current: "page" })).toHaveAttribute("aria-keyshortcuts", "Alt+6");
  });

  it("signs in with Enter (not the Enter that confirms an IME conversion) and then shows who is signed in", async () => {
    mockApi.signIn.mockResolvedValue(session);
    const { user, userId, password } = await renderSignIn();
    await user.type(userId, "sato.hanako");
    await user.type(password, "Tokyo-2024!");

    fireEvent.compositionStart(password);
    fireEvent.keyDown(password, { key: "Enter", code: "Enter", keyCode: 229, isComposing: true });
    fireEvent.compositionEnd(password);
    expect(mockApi.signIn).not.toHaveBeenCalled();

    mockApi.session.mockResolvedValue(session);
    fireEvent.keyDown(password, { key: "Enter", code: "Enter", keyCode: 13 });
    await waitFor(() => expect(mockApi.signIn).toHaveBeenCalledWith("sato.hanako", "Tokyo-2024!"));

    const heading = await screen.findByRole("heading", { level: 1, name: "サインアウト" });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(screen.getByTestId("signin-status")).toHaveTextContent("サインインしました。");
    const who = screen.getByTestId("signin-who");
    expect(who).toHaveTextContent("表示名佐藤 花子");
    expect(who).toHaveTextContent("利用者IDsato.hanako");
    expect(who).toHaveTextContent("役割所属所担当者");
    expect(who).toHaveTextContent("所属所新宿区役所（13104）");
    expect(screen.getByTestId("signout")).toHaveTextContent("サインアウト");
    expect(screen.getByTestId("nav-signin")).toHaveTextContent("サインアウト");
    expect(screen.getByTestId("status-user")).toHaveTextContent("佐藤 花子（所属所担当者）");
  });

  it("shows a refusal at the top with role=alert, keeps the user id and clears only the password", async () => {
    mockApi.signIn.mockRejectedValue(new BackendError("auth.invalid_credentials", wrongPassword));
    const { user, userId, password } = await renderSignIn();
    await user.type(userId, "sato.hanako");
    await user.type(password, "wrong");
    await user.click(screen.getByTestId("signin-submit"));

    const alert = await screen.findByTestId("signin-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(`サインインできませんでした。${wrongPassword}`);
    expect(userId).toHaveValue("sato.hanako");
    expect(password).toHaveValue("");
    expect(password).toHaveFocus();
    expect(alert.compareDocumentPosition(userId) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("asks for what is missing without calling Rust", async () => {
    const { user, userId, password } = await renderSignIn();
    await user.click(screen.getByTestId("signin-submit"));
    expect(await screen.findByTestId("signin-error")).toHaveTextContent("利用者IDを入力してください。");
    expect(userId).toHaveFocus();
    await user.type(userId, "sato.hanako{Enter}");
    expect(screen.getByTestId("signin-error")).toHaveTextContent("パスワードを入力してください。");
    expect(password).toHaveFocus();
    expect(mockApi.signIn).not.toHaveBeenCalled();
  });

  it("says sign-in needs the central service when none is set, and links to 設定", async () => {
    mockApi.syncStatus.mockResolvedValue({ ...signedOutStatus, configured: false });
    render(<App />);
    const notice = await screen.findByTestId("signin-not-configured");
    expect(notice).toHaveTextContent("中央サービスが設定されていないため、サインインできません。");
    expect(within(notice).getByRole("link", { name: "設定を開く" })).toHaveAttribute("href", "#/settings");
    expect(screen.queryByTestId("signin-user")).not.toBeInTheDocument();
  });
});

describe("SignInPage (signed in)", () => {
  beforeEach(() => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    mockApi.session.mockResolvedValue(session);
  });

  it("shows a refused sign-out with Rust's message and links to what is unsent", async () => {
    mockApi.signOut.mockRejectedValue(new BackendError("sync.unsent_work", unsentWork));
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole("heading", { level: 1, name: "サインアウト" });
    await waitFor(() => expect(screen.getByTestId("signin-who")).toHaveTextContent("佐藤 花子"));
    await user.click(screen.getByTestId("signout"));

    const alert = await screen.findByTestId("signout-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(unsentWork);
    expect(within(alert).getByRole("link", { name: "競合・差戻しの記録を確認する" })).toHaveAttribute("href", "#/conflicts");
    expect(within(alert).getByRole("link", { name: "未送信の連絡メモを確認する" })).toHaveAttribute("href", "#/notes");
    expect(screen.getByTestId("signin-who")).toBeInTheDocument(); // still signed in
  });

  it("signs out and offers the sign-in form again", async () => {
    mockApi.signOut.mockResolvedValue(undefined);
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("signin-who")).toHaveTextContent("佐藤 花子"));
    mockApi.session.mockResolvedValue(null);
    await user.click(screen.getByTestId("signout"));

    const heading = await screen.findByRole("heading", { level: 1, name: "サインイン" });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(screen.getByTestId("signin-status")).toHaveTextContent("サインアウトしました。");
    expect(screen.getByTestId("signin-user")).toHaveValue("");
    expect(screen.getByTestId("status-user")).toHaveTextContent("未サインイン");
  });
});
