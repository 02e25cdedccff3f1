/**
 * How the 決裁 inbox list is looked at: the sort column and direction, the free-text
 * filter and the 種類 filter. Kept in sessionStorage so that it survives leaving the
 * page and coming back (and a re-render), for the rest of the session.
 */
import type { InboxItem } from "../backend";

export type SortKey = "kind" | "title" | "amount" | "drafter" | "office" | "received" | "waiting" | "step";
export type SortDir = "asc" | "desc";

export interface InboxView {
  sortKey: SortKey;
  sortDir: SortDir;
  /** Free text over 件名 / 起案者 / 所属所. */
  query: string;
  /** A kind id (`proposal` …) or "" for every kind. */
  kind: string;
}

/** The longest waiting first. */
export const DEFAULT_VIEW: InboxView = { sortKey: "waiting", sortDir: "desc", query: "", kind: "" };

const STORAGE_KEY = "kyosai.inbox.view";
const SORT_KEYS: readonly SortKey[] = ["kind", "title", "amount", "drafter", "office", "received", "waiting", "step"];

export function loadView(): InboxView {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return DEFAULT_VIEW;
    const v = JSON.parse(raw) as Partial<InboxView>;
    return {
      sortKey: SORT_KEYS.includes(v.sortKey as SortKey) ? (v.sortKey as SortKey) : DEFAULT_VIEW.sortKey,
      sortDir: v.sortDir === "asc" || v.sortDir === "desc" ? v.sortDir : DEFAULT_VIEW.sortDir,
      query: typeof v.query === "string" ? v.query : "",
      kind: typeof v.kind === "string" ? v.kind : "",
    };
  } catch {
    return DEFAULT_VIEW;
  }
}

export function saveView(view: InboxView): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(view));
  } catch {
    // No storage (private mode, quota): the view lasts as long as the page.
  }
}

/** The direction a column starts with when first clicked: big numbers first for amounts and waiting. */
export function firstDir(key: SortKey): SortDir {
  return key === "amount" || key === "waiting" ? "desc" : "asc";
}

const collator = new Intl.Collator("ja", { numeric: true, sensitivity: "base" });

function compareBy(key: SortKey, a: InboxItem, b: InboxItem): number {
  switch (key) {
    case "kind":
      return collator.compare(a.kindName, b.kindName);
    case "title":
      return collator.compare(a.title, b.title);
    case "amount":
      return Number(a.amount) - Number(b.amount);
    case "drafter":
      return collator.compare(a.drafterName, b.drafterName);
    case "office":
      return collator.compare(a.officeCode, b.officeCode);
    case "received":
      return (a.receivedAt ? Date.parse(a.receivedAt) : 0) - (b.receivedAt ? Date.parse(b.receivedAt) : 0);
    case "waiting":
      return a.waitingSecs - b.waitingSecs;
    case "step":
      return collator.compare(`${a.stepText} ${a.slotName}`, `${b.stepText} ${b.slotName}`);
  }
}

/** Half-width, lower case: 「ＰＣ」 finds 「pc」, 「１３１０４」 finds 13104. */
function fold(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

/** The items the clerk asked for, in the order asked for (ties: longest waiting first). */
export function visibleItems(items: readonly InboxItem[], view: InboxView): InboxItem[] {
  const words = fold(view.query).split(/\s+/).filter((w) => w !== "");
  const shown = items.filter((i) => {
    if (view.kind !== "" && i.kind !== view.kind) return false;
    if (words.length === 0) return true;
    const hay = fold(`${i.title}\n${i.drafterName}\n${i.drafterId}\n${i.officeCode}`);
    return words.every((w) => hay.includes(w));
  });
  const sign = view.sortDir === "asc" ? 1 : -1;
  return shown.sort(
    (a, b) => sign * compareBy(view.sortKey, a, b) || b.waitingSecs - a.waitingSecs || a.id.localeCompare(b.id),
  );
}

/** Kinds present in the list, for the 種類 select. */
export function kindsOf(items: readonly InboxItem[]): { kind: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const i of items) if (!seen.has(i.kind)) seen.set(i.kind, i.kindName);
  return [...seen].map(([kind, name]) => ({ kind, name })).sort((a, b) => collator.compare(a.name, b.name));
}

export function isFiltered(view: InboxView): boolean {
  return view.query.trim() !== "" || view.kind !== "";
}
