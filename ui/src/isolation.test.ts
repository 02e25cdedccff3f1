import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// The isolation application (ui/isolation, Tauri's isolation pattern): its hook, run as
// Tauri runs it — a plain script in the isolation frame's window.
type Message = { cmd: unknown; callback: unknown; error: unknown; payload: unknown; options?: unknown };
type Hook = (message: unknown) => Message;

let hook: Hook;

beforeAll(() => {
  const source = readFileSync(join(__dirname, "..", "isolation", "index.js"), "utf8");
  new Function(source).call(window);
  hook = (window as unknown as { __TAURI_ISOLATION_HOOK__: Hook }).__TAURI_ISOLATION_HOOK__;
});

const message = (over: Partial<Message> = {}): Message => ({
  cmd: "approval_act",
  callback: 3_141_592_653,
  error: 2_718_281_828,
  payload: { request: { id: "決裁-2024-001", kind: "approve", comment: "確認しました。", seenHash: "ab12" } },
  options: { headers: {} },
  ...over,
});

describe("the isolation hook", () => {
  it("lets well-formed messages of the app and of plugins through unchanged", () => {
    for (const m of [
      message(),
      message({ cmd: "app_info", payload: {} }),
      message({ cmd: "procurement_export_transfer", payload: { ids: ["a", "b"], transferDate: "2024-04-25" } }),
      message({ cmd: "plugin:event|listen", payload: { event: "sync-status-changed", target: { kind: "Any" }, handler: 7 } }),
    ]) {
      expect(hook(m)).toBe(m);
    }
  });

  it.each([
    ["a command name with odd characters", message({ cmd: "../approval_act" })],
    ["an upper-case command", message({ cmd: "Approval_Act" })],
    ["a plugin command of another form", message({ cmd: "plugin:event|listen|x" })],
    ["a command that is not a string", message({ cmd: 42 })],
    ["a missing callback", message({ callback: undefined })],
    ["a callback that is not an id", message({ error: "alert(1)" })],
    ["arguments as an array", message({ payload: [1, 2, 3] })],
    ["raw bytes", message({ payload: new Uint8Array([1, 2, 3]) })],
    ["no arguments object", message({ payload: null })],
    ["an argument name that is not camelCase", message({ payload: { __proto__x: 1 } })],
    ["an argument named with a path", message({ payload: { "user/id": "sato" } })],
  ])("turns %s into a call that nothing grants", (_what, m) => {
    const out = hook(m);
    expect(out.cmd).toBe("isolation_refused");
    expect(out.payload).toEqual({});
    expect(out.callback).toBe(m.callback);
    expect(out.error).toBe(m.error);
  });

  it("survives something that is not a message at all", () => {
    expect(hook("approval_act").cmd).toBe("isolation_refused");
    expect(hook(null).cmd).toBe("isolation_refused");
  });
});
