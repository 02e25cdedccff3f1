/**
 * The front end's only door to Rust. Everything else in ui/src imports from
 * here (never from @tauri-apps/* or ./bindings; ESLint enforces it).
 *
 * `api` mirrors the generated `commands` but unwraps tauri-specta's
 * `{ status, data | error }` result, so components get the value or a thrown
 * `BackendError` and never look at `status`.
 *
 * The DTO types are taken from the generated commands' signatures rather
 * than by their generated names, so this file does not care whether
 * tauri-specta calls a type `Finding` or `FindingDto`, `AppInfo` or
 * `AppInfo_Serialize`: what the command returns is what the UI gets.
 */
import { commands } from "./bindings";
import { toBackendError } from "./errors";

export { BackendError, IPC_FAILED, toBackendError } from "./errors";

type Commands = typeof commands;
type Returned<K extends keyof Commands> = Awaited<ReturnType<Commands[K]>>;
/** The `data` of a command that returns a result object. */
type Ok<K extends keyof Commands> = Extract<Returned<K>, { status: "ok" }> extends { data: infer T } ? T : never;
/** The `error` of a command that returns a result object. */
type Err<K extends keyof Commands> = Extract<Returned<K>, { status: "error" }> extends { error: infer E } ? E : never;

export type AppError = Err<"getSettings">;
export type AppInfo = Returned<"appInfo">;
export type SettingsView = Ok<"getSettings">;
export type SettingsDraft = Parameters<Commands["saveSettings"]>[0];
export type Finding = Returned<"checkSettings">[number];
export type Severity = Finding["severity"];
export type WarekiInput = Parameters<Commands["warekiToDate"]>[0];
export type Era = WarekiInput["era"];
export type DateView = Ok<"warekiToDate">;
export type IntegrityReport = Ok<"integrityCheck">;

type Settled<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

async function unwrap<T>(call: () => Promise<Settled<T>>): Promise<T> {
  let result: Settled<T>;
  try {
    result = await call();
  } catch (cause) {
    throw toBackendError(cause);
  }
  if (result.status === "error") throw toBackendError(result.error);
  return result.data;
}

async function plain<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw toBackendError(cause);
  }
}

export const api = {
  appInfo: (): Promise<AppInfo> => plain(() => commands.appInfo()),
  getSettings: (): Promise<SettingsView> => unwrap(() => commands.getSettings()),
  checkSettings: (draft: SettingsDraft): Promise<Finding[]> => plain(() => commands.checkSettings(draft)),
  saveSettings: (draft: SettingsDraft): Promise<SettingsView> => unwrap(() => commands.saveSettings(draft)),
  warekiToDate: (input: WarekiInput): Promise<DateView> => unwrap(() => commands.warekiToDate(input)),
  dateToWareki: (iso: string): Promise<DateView> => unwrap(() => commands.dateToWareki(iso)),
  parseWareki: (text: string): Promise<DateView> => unwrap(() => commands.parseWareki(text)),
  integrityCheck: (): Promise<IntegrityReport> => unwrap(() => commands.integrityCheck()),
  frontendReady: (): Promise<void> => plain(() => commands.frontendReady()),
};

export type Api = typeof api;
