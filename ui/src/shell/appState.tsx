/**
 * What the shell knows about the app and shares with pages: AppInfo and the
 * saved settings (loaded once when the shell starts), and the central
 * service's sync status and session, which follow Rust's
 * `sync-status-changed` event for as long as the shell is open.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";
import { api, BackendError, type AppInfo, type SessionView, type SettingsView, type SyncStatusView } from "../backend";
import { errorMessage } from "../i18n";

export interface AppState {
  appInfo: AppInfo | null;
  /** Japanese message when AppInfo could not be loaded. */
  appInfoError: string | null;
  settings: SettingsView | null;
  settingsLoaded: boolean;
  setSettings: (settings: SettingsView) => void;
  /** The latest sync status; null until read (or when it cannot be read). */
  sync: SyncStatusView | null;
  syncLoaded: boolean;
  /** Who the central service says is signed in (null when signed out or not yet known). */
  session: SessionView | null;
  /**
   * The signed-in user's id. Set also while the session details are not known yet
   * (a stored sign-in waiting for the server).
   */
  signedInUser: string | null;
  /** After signing in (the view from `signIn`) or out (null), before the event says so. */
  setSession: (session: SessionView | null) => void;
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
  const [sync, setSync] = useState<SyncStatusView | null>(null);
  const [syncLoaded, setSyncLoaded] = useState(false);
  const [session, setSessionState] = useState<SessionView | null>(null);
  /** Latest session request; older answers are ignored. */
  const sessionSeq = useRef(0);

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

  // The status: listen first, then read it once; an event that arrives before the
  // read answers is newer than that answer, which is then dropped.
  useEffect(() => {
    let alive = true;
    let heard = false;
    const stop = api.onSyncStatus((status) => {
      if (!alive) return;
      heard = true;
      setSync(status);
      setSyncLoaded(true);
    });
    api.syncStatus().then(
      (status) => {
        if (!alive || heard) return;
        setSync(status);
        setSyncLoaded(true);
      },
      () => alive && setSyncLoaded(true),
    );
    return () => {
      alive = false;
      stop();
    };
  }, []);

  // Who is signed in: asked at start, whenever the user changes and, while the details
  // are missing (a stored sign-in not yet refreshed), after each change of connection or
  // sync. The status (when it can be read) decides who is signed in.
  const statusUser = sync?.signedInUser ?? null;
  const sessionKnown = session !== null && session.userId === statusUser;
  const sessionTrigger = !sync
    ? "start"
    : statusUser === null
      ? "signed-out"
      : sessionKnown
        ? `user:${statusUser}`
        : `waiting:${statusUser}|${sync.online}|${sync.lastSyncAt}`;
  useEffect(() => {
    const mine = ++sessionSeq.current;
    api.session().then(
      (view) => {
        if (mine === sessionSeq.current) setSessionState(view);
      },
      () => {
        if (mine === sessionSeq.current) setSessionState(null);
      },
    );
  }, [sessionTrigger]);

  const setSession = useCallback((view: SessionView | null) => {
    sessionSeq.current++;
    setSessionState(view);
    // Say so at once; the next status event confirms it.
    setSync((current) => (current ? { ...current, signedInUser: view ? view.userId : null } : current));
  }, []);

  const signedInUser = sync ? statusUser : (session?.userId ?? null);
  const shownSession = session && (!sync || sessionKnown) ? session : null;

  const value = useMemo<AppState>(
    () => ({
      appInfo,
      appInfoError,
      settings,
      settingsLoaded,
      setSettings,
      sync,
      syncLoaded,
      session: shownSession,
      signedInUser,
      setSession,
    }),
    [appInfo, appInfoError, settings, settingsLoaded, sync, syncLoaded, shownSession, signedInUser, setSession],
  );
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error("useAppState outside AppStateProvider");
  return state;
}
