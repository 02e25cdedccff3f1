import { afterEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "./errors";
import { guardAll, LockGate, setPasswordPrompt, withPassword } from "./guard";

const locked = () => new BackendError("session.locked", "共済デスクはロックされています。");
const reauth = () => new BackendError("auth.reauth_required", "パスワードをもう一度入力してください。");

describe("LockGate", () => {
  it("holds calls while locked and sends them once unlocked", async () => {
    const gate = new LockGate();
    gate.setLocked(true);
    const call = vi.fn(async () => "一覧");
    const result = gate.run("approvalInbox", call);
    await Promise.resolve();
    expect(call).not.toHaveBeenCalled();
    gate.setLocked(false);
    await expect(result).resolves.toBe("一覧");
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("lets the lock screen's own calls through", async () => {
    const gate = new LockGate();
    gate.setLocked(true);
    for (const name of ["lockStatus", "unlock", "signOut", "syncStatus"]) {
      await expect(gate.run(name, async () => name)).resolves.toBe(name);
    }
  });

  it("waits and sends again a call Rust refused because it locked first", async () => {
    const gate = new LockGate();
    const seen: boolean[] = [];
    gate.subscribe((l) => seen.push(l));
    const call = vi.fn<() => Promise<string>>().mockRejectedValueOnce(locked()).mockResolvedValueOnce("保存しました");
    const result = gate.run("saveNote", call);
    await vi.waitFor(() => expect(gate.isLocked()).toBe(true));
    expect(seen).toEqual([true]);
    gate.setLocked(false);
    await expect(result).resolves.toBe("保存しました");
    expect(call).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([true, false]);
  });

  it("passes other errors on", async () => {
    const gate = new LockGate();
    const err = new BackendError("validation.failed", "入力内容を確認してください。");
    await expect(gate.run("saveNote", async () => Promise.reject(err))).rejects.toBe(err);
  });
});

describe("withPassword", () => {
  let remove: (() => void) | null = null;
  afterEach(() => {
    remove?.();
    remove = null;
  });

  it("asks for the password and sends the same call again", async () => {
    const prompt = vi.fn(async () => true);
    remove = setPasswordPrompt(prompt);
    const call = vi.fn<() => Promise<string>>().mockRejectedValueOnce(reauth()).mockResolvedValueOnce("承認しました");
    await expect(withPassword(call)).resolves.toBe("承認しました");
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("gives the page the original error when the clerk cancels", async () => {
    remove = setPasswordPrompt(async () => false);
    const err = reauth();
    const call = vi.fn(async () => Promise.reject(err));
    await expect(withPassword(call)).rejects.toBe(err);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("does not ask when nothing asks for it", async () => {
    const prompt = vi.fn(async () => true);
    remove = setPasswordPrompt(prompt);
    await expect(withPassword(async () => 1)).resolves.toBe(1);
    const other = new BackendError("auth.not_signed_in", "サインインしていません。");
    await expect(withPassword(async () => Promise.reject(other))).rejects.toBe(other);
    expect(prompt).not.toHaveBeenCalled();
  });
});

describe("guardAll", () => {
  it("puts every call behind the gate and the prompt, and leaves listeners alone", async () => {
    const gate = new LockGate();
    const listener = () => () => {};
    const raw = {
      approvalAct: vi.fn<(id: string) => Promise<string>>().mockRejectedValueOnce(reauth()).mockResolvedValue("ok"),
      onSyncStatus: listener,
    };
    const remove = setPasswordPrompt(async () => true);
    const api = guardAll(raw, gate);
    expect(api.onSyncStatus).toBe(listener);
    gate.setLocked(true);
    const result = api.approvalAct("決裁-1");
    await Promise.resolve();
    expect(raw.approvalAct).not.toHaveBeenCalled();
    gate.setLocked(false);
    await expect(result).resolves.toBe("ok");
    expect(raw.approvalAct).toHaveBeenCalledTimes(2);
    expect(raw.approvalAct).toHaveBeenLastCalledWith("決裁-1");
    remove();
  });
});
