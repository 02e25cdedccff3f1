/**
 * What the shell knows about the app and shares with pages: AppInfo and the
 * saved settings (for the status bar). Loaded once when the shell starts.
 */
import { createContext, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { api, BackendError, type AppInfo, type SettingsView } from "../backend";
import { errorMessage } from "../i18n";

export interface AppState {
  appInfo: AppInfo | null;
  /** Japanese message when AppInfo could not be loaded. */
  appInfoError: string | null;
  settings: SettingsView | null;
  settingsLoaded: boolean;
  setSettings: (settings: SettingsView) => void;
}

const AppStateContext = createContext<AppState | null>(null);

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [appInfo, setAppInfo] = useState<AppInfo | null>(null);
  const [appInfoError, setAppInfoError] = useState<string | null>(null);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [settingsLoaded, setSettingsLoaded] = useState(false);

  useEffect(() => {
    let alive = true;
    api.appInfo().then(
      (info) => alive && setAppInfo(info),
      (err: unknown) => alive && setAppInfoError(describe(err)),
    );
    api.getSettings().then(
      (view) => {
        if (!alive) return;
        setSettings(view);
        setSettingsLoaded(true);
      },
      () => alive && setSettingsLoaded(true),
    );
    return () => {
      alive = false;
    };
  }, []);

  const value = useMemo<AppState>(
    () => ({ appInfo, appInfoError, settings, settingsLoaded, setSettings }),
    [appInfo, appInfoError, settings, settingsLoaded],
  );
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error("useAppState outside AppStateProvider");
  return state;
}
