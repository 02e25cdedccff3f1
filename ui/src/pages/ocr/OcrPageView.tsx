/**
 * The whole page of the scan with the current field's box highlighted: zoom (+ / − / 全体,
 * and Ctrl+wheel around the pointer) and pan (drag, or scroll). Positions are kept in
 * per cent of the page, so the picture needs no measuring to place the box, and "全体"
 * (fit) is simply the pane's width.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { PointerEvent as ReactPointerEvent } from "react";
import type { OcrBox, OcrPageImage } from "../../backend";
import { Button } from "../../components/Button";
import { t } from "../../i18n";

const MIN_ZOOM = 1;
const MAX_ZOOM = 8;
const STEP = 1.25;

function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(z * 100) / 100));
}

interface Props {
  page: OcrPageImage | null;
  /** The field's box in scan pixels (multiplied by the page's scale here). */
  box: OcrBox | null;
  label: string;
}

export function OcrPageView({ page, box, label }: Props) {
  /** 1 = the page as wide as the pane. */
  const [zoom, setZoom] = useState(1);
  const viewportRef = useRef<HTMLDivElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number; id: number } | null>(null);
  /** Where the zoom was asked for (pointer or centre), as a fraction of the content and of the pane. */
  const anchor = useRef<{ fx: number; fy: number; px: number; py: number } | null>(null);

  const scale = page?.scale ?? 1;
  const rect =
    page && box && page.width > 0 && page.height > 0
      ? {
          left: ((box.x * scale) / page.width) * 100,
          top: ((box.y * scale) / page.height) * 100,
          width: ((box.w * scale) / page.width) * 100,
          height: ((box.h * scale) / page.height) * 100,
        }
      : null;

  function zoomTo(next: number, at?: { px: number; py: number }) {
    const el = viewportRef.current;
    const z = clampZoom(next);
    if (el && el.scrollWidth > 0) {
      const px = at?.px ?? el.clientWidth / 2;
      const py = at?.py ?? el.clientHeight / 2;
      anchor.current = { fx: (el.scrollLeft + px) / el.scrollWidth, fy: (el.scrollTop + py) / el.scrollHeight, px, py };
    }
    setZoom(z);
  }

  // Keep the point under the pointer (or the centre) where it was after a zoom.
  useLayoutEffect(() => {
    const el = viewportRef.current;
    const a = anchor.current;
    anchor.current = null;
    if (!el || !a) return;
    el.scrollLeft = a.fx * el.scrollWidth - a.px;
    el.scrollTop = a.fy * el.scrollHeight - a.py;
  }, [zoom]);

  // The field's box comes into view when the field changes (only if it is outside).
  const boxKey = rect ? `${page?.page}:${rect.left}:${rect.top}` : "";
  useLayoutEffect(() => {
    const el = viewportRef.current;
    const b = boxRef.current;
    if (!el || !b || el.clientWidth === 0) return;
    const left = b.offsetLeft;
    const top = b.offsetTop;
    const outside =
      left < el.scrollLeft ||
      top < el.scrollTop ||
      left + b.offsetWidth > el.scrollLeft + el.clientWidth ||
      top + b.offsetHeight > el.scrollTop + el.clientHeight;
    if (!outside) return;
    el.scrollLeft = Math.max(0, left + b.offsetWidth / 2 - el.clientWidth / 2);
    el.scrollTop = Math.max(0, top + b.offsetHeight / 2 - el.clientHeight / 2);
  }, [boxKey, zoom]);

  // Ctrl+wheel zooms. React's wheel listener is passive, so it could not stop the page zoom.
  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    function onWheel(event: WheelEvent) {
      if (!event.ctrlKey || !el) return;
      event.preventDefault();
      const r = el.getBoundingClientRect();
      const at = { px: event.clientX - r.left, py: event.clientY - r.top };
      setZoom((z) => {
        const next = clampZoom(event.deltaY < 0 ? z * STEP : z / STEP);
        if (el.scrollWidth > 0) {
          anchor.current = { fx: (el.scrollLeft + at.px) / el.scrollWidth, fy: (el.scrollTop + at.py) / el.scrollHeight, ...at };
        }
        return next;
      });
    }
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, []);

  function onPointerDown(event: ReactPointerEvent<HTMLDivElement>) {
    const el = viewportRef.current;
    if (!el || event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, left: el.scrollLeft, top: el.scrollTop, id: event.pointerId };
    el.setPointerCapture?.(event.pointerId);
  }

  function onPointerMove(event: ReactPointerEvent<HTMLDivElement>) {
    const el = viewportRef.current;
    const d = drag.current;
    if (!el || !d || d.id !== event.pointerId) return;
    el.scrollLeft = d.left - (event.clientX - d.x);
    el.scrollTop = d.top - (event.clientY - d.y);
  }

  function endDrag(event: ReactPointerEvent<HTMLDivElement>) {
    if (drag.current?.id !== event.pointerId) return;
    drag.current = null;
    viewportRef.current?.releasePointerCapture?.(event.pointerId);
  }

  return (
    <section aria-label={t("ocr.page.region")} className="flex min-h-0 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label={t("ocr.page.zoomGroup")}>
        <Button size="compact" onClick={() => zoomTo(zoom / STEP)} aria-label={t("ocr.page.zoomOut")} data-testid="ocr-zoom-out">
          −
        </Button>
        <span className="min-w-16 text-center text-dns-14N-130 tabular-nums" aria-live="polite" data-testid="ocr-zoom">
          {t("ocr.page.zoomValue", { n: Math.round(zoom * 100) })}
        </span>
        <Button size="compact" onClick={() => zoomTo(zoom * STEP)} aria-label={t("ocr.page.zoomIn")} data-testid="ocr-zoom-in">
          ＋
        </Button>
        <Button size="compact" onClick={() => zoomTo(1)} data-testid="ocr-zoom-fit">
          {t("ocr.page.fit")}
        </Button>
        <span className="text-dns-14N-130 text-solid-gray-700">{t("ocr.page.hint")}</span>
      </div>
      <div
        ref={viewportRef}
        data-testid="ocr-page"
        data-zoom={zoom}
        tabIndex={0}
        aria-label={page ? t("ocr.page.label", { page: page.page, field: label }) : t("ocr.page.missing")}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        className="relative h-[70vh] min-h-80 cursor-grab touch-none overflow-auto rounded-8 border border-solid-gray-420 bg-solid-gray-100 active:cursor-grabbing"
      >
        {page ? (
          <div className="relative" style={{ width: `${zoom * 100}%` }}>
            <img src={page.src} alt="" draggable={false} className="block h-auto w-full select-none" width={page.width} height={page.height} />
            {rect ? (
              <div
                ref={boxRef}
                data-testid="ocr-box"
                aria-hidden="true"
                className="pointer-events-none absolute rounded-4 border-4 border-orange-600 bg-yellow-300/25 shadow-[0_0_0_9999px_rgba(0,0,0,0.18)]"
                style={{ left: `${rect.left}%`, top: `${rect.top}%`, width: `${rect.width}%`, height: `${rect.height}%` }}
              />
            ) : null}
          </div>
        ) : (
          <p className="p-4 text-std-16N-170">{t("ocr.page.missing")}</p>
        )}
      </div>
    </section>
  );
}
