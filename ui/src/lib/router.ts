/**
 * Hash routing: the app is served from Tauri's custom protocol, so the path
 * never changes; the page lives in `location.hash` ("#/settings").
 */
import { useSyncExternalStore } from "react";
import type { MessageId } from "../i18n";

export type RouteId =
  | "home"
  | "wareki"
  | "settings"
  | "diagnostics"
  | "notes"
  | "signin"
  | "inbox"
  | "proposals"
  | "acquisitions"
  | "acquisitionImport"
  | "conflicts"
  | "procurement"
  | "ocr"
  | "dashboard";

export interface RouteDef {
  id: RouteId;
  hash: string;
  label: MessageId;
  /** Alt+<shortcut> opens the page; none for pages reached by a link only. */
  shortcut?: string;
}

export const ROUTES: readonly RouteDef[] = [
  { id: "home", hash: "#/", label: "nav.home", shortcut: "1" },
  { id: "wareki", hash: "#/wareki", label: "nav.wareki", shortcut: "2" },
  { id: "settings", hash: "#/settings", label: "nav.settings", shortcut: "3" },
  { id: "diagnostics", hash: "#/diagnostics", label: "nav.diagnostics", shortcut: "4" },
  { id: "notes", hash: "#/notes", label: "nav.notes", shortcut: "5" },
  // Shown as 「サインアウト」 while someone is signed in (see App).
  { id: "signin", hash: "#/signin", label: "nav.signin", shortcut: "6" },
  { id: "inbox", hash: "#/inbox", label: "nav.inbox", shortcut: "7" },
  { id: "proposals", hash: "#/proposals", label: "nav.proposals", shortcut: "8" },
  { id: "acquisitions", hash: "#/acquisitions", label: "nav.acquisitions", shortcut: "9" },
  { id: "procurement", hash: "#/procurement", label: "nav.procurement", shortcut: "0" },
  // Alt+0..9 are all taken: reached from the menu.
  { id: "ocr", hash: "#/ocr", label: "nav.ocr" },
  // For 事務局審査担当, 決裁権者 and 所属所長 only (see App).
  { id: "dashboard", hash: "#/dashboard", label: "nav.dashboard" },
  // Reached from 資格取得届 (「CSVから一括取込」); not in the menu.
  { id: "acquisitionImport", hash: "#/acquisitions/import", label: "nav.acquisitionImport" },
  // In the menu only while there is something to settle; linked from the status bar.
  { id: "conflicts", hash: "#/conflicts", label: "nav.conflicts" },
];

export function routeFromHash(hash: string): RouteId {
  const clean = hash.replace(/\/+$/, "") || "#";
  const found = ROUTES.find((r) => (r.hash.replace(/\/+$/, "") || "#") === clean);
  return found ? found.id : "home";
}

export function hrefFor(id: RouteId): string {
  return ROUTES.find((r) => r.id === id)?.hash ?? "#/";
}

export function navigate(id: RouteId): void {
  const target = hrefFor(id);
  if (window.location.hash !== target) window.location.hash = target;
}

function subscribe(callback: () => void): () => void {
  window.addEventListener("hashchange", callback);
  return () => window.removeEventListener("hashchange", callback);
}

export function useRoute(): RouteId {
  return useSyncExternalStore(
    subscribe,
    () => routeFromHash(window.location.hash),
    () => "home",
  );
}
