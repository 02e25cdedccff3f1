/**
 * A row of tabs (WAI-ARIA tabs pattern): ← / → move between them and select, the
 * selected one is the only Tab stop. The page renders the panel itself with
 * `id={`${idPrefix}-panel-${selected}`}` and `aria-labelledby={`${idPrefix}-tab-${selected}`}`.
 */
import { useRef } from "react";
import type { KeyboardEvent as ReactKeyboardEvent, ReactNode } from "react";

export interface TabDef<T extends string> {
  id: T;
  label: ReactNode;
}

interface Props<T extends string> {
  tabs: readonly TabDef<T>[];
  selected: T;
  onSelect: (id: T) => void;
  /** Prefix of the tab and panel ids and of the tabs' `data-testid` (`ocr` → `ocr-tab-queue`). */
  idPrefix: string;
  label: string;
}

export function TabList<T extends string>({ tabs, selected, onSelect, idPrefix, label }: Props<T>) {
  const refs = useRef<Partial<Record<T, HTMLButtonElement | null>>>({});

  function onKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    event.preventDefault();
    const i = tabs.findIndex((x) => x.id === selected);
    const next = tabs[(i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    if (!next) return;
    onSelect(next.id);
    refs.current[next.id]?.focus();
  }

  return (
    <div role="tablist" aria-label={label} className="mb-6 flex gap-2 border-b border-solid-gray-420" onKeyDown={onKeyDown}>
      {tabs.map((x) => (
        <button
          key={x.id}
          ref={(el) => {
            refs.current[x.id] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${x.id}`}
          aria-selected={selected === x.id}
          aria-controls={`${idPrefix}-panel-${x.id}`}
          tabIndex={selected === x.id ? 0 : -1}
          data-testid={`${idPrefix}-tab-${x.id}`}
          onClick={() => onSelect(x.id)}
          className={[
            "-mb-px min-h-12 border-b-4 px-4 py-2 text-std-16B-170",
            selected === x.id ? "border-blue-900 text-blue-1000" : "border-transparent text-solid-gray-700 hover:text-solid-gray-900",
          ].join(" ")}
        >
          {x.label}
        </button>
      ))}
    </div>
  );
}
