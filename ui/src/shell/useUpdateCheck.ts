/**
 * The automatic update check: while someone is signed in and IT's policy does not turn
 * updates off (`updates: off`), ask the central service once shortly after start (or after
 * signing in) and then every 6 hours. Returns the newer release to mention, or null.
 *
 * Quiet by design: a failure (offline, the server busy) shows nothing and the next round
 * tries again; `update.disabled` from Rust stops the rounds. The offer is held back while
 * a modal (a dialog, the lock screen) is open, so it never competes with one. Downloading
 * and verifying are on 診断・バージョン情報, by the clerk's choice.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import { api, BackendError, type UpdateOffer } from "../backend";
import { useAppState } from "./appState";

/** The first check waits this long after start, so start-up and the first sync come first. */
export const FIRST_CHECK_DELAY_MS = 30_000;
/** Then the check runs again every 6 hours while the app runs. */
export const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

const DISABLED = "update.disabled";
const MODAL = '[aria-modal="true"]';

function subscribeToModals(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-modal"] });
  return () => observer.disconnect();
}

function modalOpen(): boolean {
  return document.querySelector(MODAL) !== null;
}

/** Whether a modal dialog is open anywhere in the document. */
export function useModalOpen(): boolean {
  return useSyncExternalStore(subscribeToModals, modalOpen, () => false);
}

/** The newer release found by the last automatic check, for the user it was asked for. */
interface Found {
  user: string;
  offer: UpdateOffer | null;
}

export function useUpdateCheck(): UpdateOffer | null {
  const { signedInUser, settings, settingsLoaded } = useAppState();
  const [found, setFound] = useState<Found | null>(null);
  const dialogOpen = useModalOpen();
  const user = settingsLoaded && settings?.updates !== "off" ? signedInUser : null;

  useEffect(() => {
    if (user === null) return;
    let alive = true;
    let interval: ReturnType<typeof setInterval> | undefined;
    const check = () => {
      api.updateCheck().then(
        (offer) => {
          if (alive) setFound({ user, offer });
        },
        (err: unknown) => {
          // Offline or busy: say nothing, the next round asks again. Turned off: stop.
          if (err instanceof BackendError && err.code === DISABLED) {
            clearInterval(interval);
            if (alive) setFound({ user, offer: null });
          }
        },
      );
    };
    const first = setTimeout(() => {
      check();
      interval = setInterval(check, CHECK_INTERVAL_MS);
    }, FIRST_CHECK_DELAY_MS);
    return () => {
      alive = false;
      clearTimeout(first);
      clearInterval(interval);
    };
  }, [user]);

  if (user === null || found?.user !== user || dialogOpen) return null;
  return found.offer;
}
