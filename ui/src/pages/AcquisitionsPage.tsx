/**
 * 資格取得届 (Alt+9): the queue of this PC's notifications, and the form for
 * one of them. Enter in the queue opens a notification; Alt+N starts a new one;
 * the form's 一覧に戻る (or Esc) comes back with the filter as it was.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import { api, BackendError, type AcquisitionListItem, type AcquisitionOptions, type AcquisitionView } from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { errorMessage, t } from "../i18n";
import { isComposing } from "../lib/ime";
import { hrefFor } from "../lib/router";
import { useAppState } from "../shell/appState";
import { useAfterSync } from "../shell/useAfterSync";
import { AcquisitionEditor } from "./AcquisitionEditor";
import { AcquisitionBatchPrint } from "./AcquisitionBatchPrint";
import { AcquisitionQueue } from "./AcquisitionQueue";
import { AcquisitionReview } from "./AcquisitionReview";

type Open =
  | { kind: "new"; key: number }
  | { kind: "view"; view: AcquisitionView; key: number }
  | { kind: "review"; id: string; key: number }
  | null;

/** Stages the clerk edits in the form; the others open read-only for review (証明・審査・登録). */
const EDITED_STAGES = ["draft", "returned", "withdrawn"];

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

export function AcquisitionsPage() {
  const { sync, signedInUser } = useAppState();
  const [items, setItems] = useState<AcquisitionListItem[] | null>(null);
  const [options, setOptions] = useState<AcquisitionOptions | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const loadSeq = useRef(0);
  const openSeq = useRef(0);

  function load() {
    const mine = ++loadSeq.current;
    api.listAcquisitions().then(
      (list) => {
        if (mine !== loadSeq.current) return;
        setItems(list);
        setError(null);
      },
      (err: unknown) => {
        if (mine !== loadSeq.current) return;
        setError(t("acq.loadFailed", { message: describe(err) }));
        setItems((cur) => cur ?? []);
      },
    );
  }

  const loadOnMount = useEffectEvent(() => {
    load();
    api.acquisitionOptions().then(setOptions, () => setOptions(null));
  });
  useEffect(() => {
    loadOnMount();
  }, []);

  useAfterSync(load);

  function openItem(item: AcquisitionListItem) {
    if (!EDITED_STAGES.includes(item.stage)) {
      setOpen({ kind: "review", id: item.id, key: ++openSeq.current });
      return;
    }
    api.getAcquisition(item.id).then(
      (view) => setOpen({ kind: "view", view, key: ++openSeq.current }),
      (err: unknown) => setError(t("acq.loadFailed", { message: describe(err) })),
    );
  }

  function openNew() {
    setOpen({ kind: "new", key: ++openSeq.current });
  }

  const onAltN = useEffectEvent((event: KeyboardEvent) => {
    const altN = (event.code === "KeyN" || event.key.toLowerCase() === "n") && event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
    if (!altN || isComposing(event) || open) return;
    event.preventDefault();
    openNew();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onAltN(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const signedOut = sync?.configured === true && signedInUser === null;

  function closeOpen() {
    setOpen(null);
    load();
    setTimeout(() => document.getElementById("acq-list")?.focus(), 0);
  }

  function toggle(id: string) {
    setSelected((cur) => {
      const next = new Set(cur);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  if (open?.kind === "review") {
    return (
      <div className="max-w-6xl">
        <AcquisitionReview key={open.key} id={open.id} onClose={closeOpen} onChanged={load} />
      </div>
    );
  }

  if (open) {
    return (
      <div className="max-w-6xl">
        <AcquisitionEditor
          key={open.key}
          view={open.kind === "view" ? open.view : null}
          options={options}
          onChanged={load}
          onClose={() => {
            setOpen(null);
            load();
            setTimeout(() => document.getElementById("acq-list")?.focus(), 0);
          }}
        />
      </div>
    );
  }

  return (
    <div className="max-w-6xl">
      <PageHeading>{t("nav.acquisitions")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("acq.intro")}</p>
      {signedOut ? (
        <Notice kind="info" className="mb-6" testId="acq-signed-out">
          {t("acq.signedOut")}{" "}
          <a href={hrefFor("signin")} className="underline underline-offset-[calc(3/16*1rem)]">
            {t("inbox.toSignIn")}
          </a>
        </Notice>
      ) : null}
      {error ? (
        <Notice kind="error" role="alert" className="mb-6" testId="acq-error">
          {error}
        </Notice>
      ) : null}
      <div className="mb-4 flex items-center justify-between gap-4">
        <h2 className="text-std-20B-150 text-solid-gray-900">{t("acq.queue.heading")}</h2>
        <div className="flex items-center gap-4">
          <a
            href={hrefFor("acquisitionImport")}
            className="inline-flex min-h-12 items-center rounded-8 border border-current bg-white px-4 text-oln-16B-100 text-blue-900 underline-offset-[calc(3/16*1rem)] hover:underline"
            data-testid="acq-import"
          >
            {t("imp.open")}
          </a>
          <Button variant="primary" onClick={openNew} aria-keyshortcuts="Alt+N" data-testid="acq-new">
            {t("acq.new")}
          </Button>
        </div>
      </div>
      {items === null ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("acq.loading")}</p>
      ) : (
        <>
          {items.length > 0 ? (
            <AcquisitionBatchPrint ids={items.filter((i) => selected.has(i.id)).map((i) => i.id)} onClear={() => setSelected(new Set())} />
          ) : null}
          <AcquisitionQueue items={items} onOpen={openItem} selected={selected} onToggle={toggle} />
        </>
      )}
    </div>
  );
}
