/**
 * Runs a callback after a sync finished or the sync counts changed (a save anywhere, an
 * approval arriving from the central service), so a page can read its data again.
 * Never on the first render, and not when the first status arrives (the page has just
 * read its data). Only `pending`, `conflicted`, `rejected` and `lastSyncAt` count:
 * going online or the `syncing` flag alone change nothing on this PC.
 */
import { useEffect, useEffectEvent, useRef } from "react";
import type { SyncStatusView } from "../backend";
import { useAppState } from "./appState";

/** What must change for a page to read its data again; null while the status is unknown. */
export function syncKeyOf(sync: SyncStatusView | null): string | null {
  return sync ? `${sync.pending}|${sync.conflicted}|${sync.rejected}|${sync.lastSyncAt ?? ""}` : null;
}

export function useAfterSync(callback: () => void): void {
  const { sync } = useAppState();
  const syncKey = syncKeyOf(sync);
  const seen = useRef(syncKey);
  const onSync = useEffectEvent(callback);
  useEffect(() => {
    if (seen.current === syncKey) return;
    const first = seen.current === null;
    seen.current = syncKey;
    if (!first) onSync();
  }, [syncKey]);
}
