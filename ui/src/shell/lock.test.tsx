import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { BackendError, type LockStatus } from "../backend";
import { onlineStatus, session } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const signedIn: LockStatus = {
  locked: false,
  userId: "sato.hanako",
  displayName: "佐藤 花子",
  idleLockSeconds: 60,
  attemptsLeft: 5,
};
const locked: LockStatus = { ...signedIn, locked: true };

/** Rust's lock state as the commands report it. */
let rust: LockStatus = signedIn;

beforeEach(() => {
  resetMockApi();
  rust = signedIn;
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
  mockApi.lockStatus.mockImplementation(async () => rust);
  mockApi.lockNow.mockImplementation(async () => {
    rust = locked;
    return rust;
  });
  window.location.hash = "#/notes";
  vi.useFakeTimers({ shouldAdvanceTime: true });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Opens a new 連絡メモ and types into it without saving. */
async function typeUnsavedNote() {
  const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
  render(<App />);
  await user.click(await screen.findByTestId("notes-new"));
  const title = await screen.findByTestId("note-title");
  await user.type(title, "引継ぎ：佐藤さんの資格取得届");
  return { user, title };
}

async function idle(seconds: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(seconds * 1000);
  });
}

describe("the lock", () => {
  it("locks after the idle time, hides the work and keeps what was typed", async () => {
    const { user, title } = await typeUnsavedNote();
    await idle(59);
    expect(mockApi.lockNow).not.toHaveBeenCalled();
    await idle(2);
    expect(mockApi.lockNow).toHaveBeenCalledTimes(1);
    const screenEl = await screen.findByTestId("lock-screen");
    expect(screenEl).toHaveTextContent("共済デスクはロックされています");
    expect(screen.getByTestId("lock-user")).toHaveTextContent("佐藤 花子（sato.hanako）");
    expect(screen.getByTestId("lock-password")).toHaveFocus();
    // The work area is still there, inert and invisible.
    const root = title.closest("body > *") as HTMLElement;
    expect(root).toHaveAttribute("inert");
    expect(root.style.visibility).toBe("hidden");
    expect(title).toHaveValue("引継ぎ：佐藤さんの資格取得届");

    mockApi.unlock.mockRejectedValueOnce(
      new BackendError("auth.wrong_password", "パスワードが違います。あと 4 回間違えると、サインアウトします。"),
    );
    await user.type(screen.getByTestId("lock-password"), "kyosai-dem0{Enter}");
    expect(await screen.findByTestId("lock-error")).toHaveTextContent("あと 4 回");
    expect(screen.getByTestId("lock-password")).toHaveValue("");

    mockApi.unlock.mockImplementationOnce(async () => {
      rust = signedIn;
      return rust;
    });
    await user.type(screen.getByTestId("lock-password"), "kyosai-demo");
    await user.click(screen.getByTestId("lock-unlock"));
    await waitFor(() => expect(screen.queryByTestId("lock-screen")).toBeNull());
    expect(mockApi.unlock).toHaveBeenLastCalledWith("kyosai-demo");
    expect(root).not.toHaveAttribute("inert");
    expect(root.style.visibility).toBe("");
    expect(screen.getByTestId("note-title")).toBe(title);
    expect(title).toHaveValue("引継ぎ：佐藤さんの資格取得届");
  });

  it("counts IME composition as input", async () => {
    const { title } = await typeUnsavedNote();
    await idle(50);
    fireEvent.compositionStart(title);
    await idle(30);
    fireEvent.compositionUpdate(title, { data: "きょうさい" });
    await idle(50);
    expect(mockApi.lockNow).not.toHaveBeenCalled();
    await idle(11);
    expect(mockApi.lockNow).toHaveBeenCalledTimes(1);
  });

  it("does not lock while nobody is signed in", async () => {
    mockApi.syncStatus.mockResolvedValue({ ...onlineStatus, signedInUser: null });
    mockApi.session.mockResolvedValue(null);
    rust = { ...signedIn, userId: null, displayName: null };
    render(<App />);
    await screen.findByTestId("notes-new");
    await idle(600);
    expect(mockApi.lockNow).not.toHaveBeenCalled();
  });

  it("shows the lock screen when the window opens locked", async () => {
    rust = locked;
    render(<App />);
    expect(await screen.findByTestId("lock-screen")).toBeInTheDocument();
  });

  it("refuses サインアウト with unsent work and stays locked", async () => {
    const { user } = await typeUnsavedNote();
    await idle(61);
    await screen.findByTestId("lock-screen");
    mockApi.signOut.mockRejectedValueOnce(
      new BackendError("sync.unsent_work", "まだサーバーに届いていない作業（送信待ち 1 件）があるため、サインアウトできません。"),
    );
    await user.click(screen.getByTestId("lock-signout"));
    expect(await screen.findByTestId("lock-error")).toHaveTextContent("送信待ち 1 件");
    expect(screen.getByTestId("lock-screen")).toBeInTheDocument();
  });

  it("starts afresh on サインイン after too many wrong passwords", async () => {
    const { user } = await typeUnsavedNote();
    await idle(61);
    await screen.findByTestId("lock-screen");
    mockApi.unlock.mockRejectedValueOnce(
      new BackendError(
        "auth.too_many_wrong_passwords",
        "パスワードを 5 回続けて間違えたため、サインアウトしました。未送信の作業はこのPCに残っています。もう一度サインインしてください。",
      ),
    );
    mockApi.syncStatus.mockResolvedValue({ ...onlineStatus, signedInUser: null });
    await user.type(screen.getByTestId("lock-password"), "wrong{Enter}");
    expect(await screen.findByTestId("lock-signed-out-message")).toHaveTextContent("未送信の作業はこのPCに残っています");
    expect(screen.queryByTestId("lock-screen")).toBeNull();
    // What was typed is gone with the session; the sign-in page is next.
    expect(screen.queryByDisplayValue("引継ぎ：佐藤さんの資格取得届")).toBeNull();
    expect(window.location.hash).toBe("#/signin");
    await user.click(screen.getByTestId("lock-signed-out-continue"));
    expect(screen.queryByTestId("lock-signed-out")).toBeNull();
  });
});
