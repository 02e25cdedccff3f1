/**
 * The full-window screens of the lock: the lock screen (ユーザー名, パスワード,
 * 「ロック解除」, 「サインアウト」) and the notice after the session ended. Everything
 * else in the window — the work area and any dialog open in it — stays mounted but is
 * made inert and invisible while one of them shows, and comes back as it was.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import type { FormEvent, ReactNode } from "react";
import { createPortal } from "react-dom";
import { BackendError } from "../backend";
import { Button } from "../components/Button";
import { FieldMessage, Notice } from "../components/Notice";
import { helpClass, inputClass, labelClass } from "../components/styles";
import { errorMessage, t } from "../i18n";
import { useImeSafeEnter } from "../lib/ime";
import { useLock } from "./lock";

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

/** A full-window layer over everything else, which is hidden and inert meanwhile. */
function Cover({ testId, titleId, children }: { testId: string; titleId: string; children: ReactNode }) {
  const hostRef = useRef<HTMLDivElement>(null);

  // In the same commit as the cover itself: the work shows again exactly when it goes.
  useLayoutEffect(() => {
    const host = hostRef.current;
    const others = [...document.body.children].filter((el): el is HTMLElement => el instanceof HTMLElement && el !== host);
    const before = others.map((el) => ({
      el,
      inert: el.hasAttribute("inert"),
      hidden: el.getAttribute("aria-hidden"),
      visibility: el.style.visibility,
    }));
    for (const el of others) {
      el.setAttribute("inert", "");
      el.setAttribute("aria-hidden", "true");
      el.style.visibility = "hidden";
    }
    return () => {
      for (const b of before) {
        if (!b.inert) b.el.removeAttribute("inert");
        if (b.hidden === null) b.el.removeAttribute("aria-hidden");
        else b.el.setAttribute("aria-hidden", b.hidden);
        b.el.style.visibility = b.visibility;
      }
    };
  }, []);

  return createPortal(
    <div
      ref={hostRef}
      data-lock-host=""
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      data-testid={testId}
      className="fixed inset-0 z-[100] flex items-center justify-center overflow-y-auto bg-solid-gray-50 p-6 text-solid-gray-800"
    >
      <div className="w-full max-w-xl rounded-12 border border-solid-gray-420 bg-white p-8 shadow-2">{children}</div>
    </div>,
    document.body,
  );
}

export function LockScreen() {
  const { status, unlock, signOut } = useLock();
  const titleId = useId();
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<{ text: string; unsent: boolean } | null>(null);
  const [busy, setBusy] = useState<"unlock" | "signOut" | null>(null);
  const inFlight = useRef(false);
  const fieldRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    fieldRef.current?.focus();
  }, []);

  async function run(kind: "unlock" | "signOut") {
    if (inFlight.current) return;
    if (kind === "unlock" && password === "") {
      setMissing(true);
      fieldRef.current?.focus();
      return;
    }
    inFlight.current = true;
    setBusy(kind);
    try {
      if (kind === "unlock") await unlock(password);
      else await signOut();
    } catch (err) {
      const message = describe(err);
      setError({
        text: t(kind === "unlock" ? "lock.failed" : "lock.signOutFailed", { message }),
        unsent: err instanceof BackendError && err.code === "sync.unsent_work",
      });
      setPassword("");
      fieldRef.current?.focus();
    } finally {
      inFlight.current = false;
      setBusy(null);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run("unlock");
  }

  const onEnter = useImeSafeEnter<HTMLInputElement>(() => void run("unlock"));
  const name = status?.displayName;
  const id = status?.userId;
  const who = name && id ? t("lock.userValue", { name, id }) : (name ?? id ?? "");

  return (
    <Cover testId="lock-screen" titleId={titleId}>
      <h1 id={titleId} className="mb-3 text-std-24B-150 text-solid-gray-900">
        {t("lock.title")}
      </h1>
      <p className="mb-6 text-std-16N-175">{t("lock.intro")}</p>
      <div className="mb-6 empty:hidden">
        {error ? (
          <Notice kind="error" role="alert" testId="lock-error">
            {error.text}
          </Notice>
        ) : null}
      </div>
      <form noValidate onSubmit={onSubmit} aria-busy={busy !== null || undefined}>
        <dl className="mb-6 grid grid-cols-[8rem_minmax(0,1fr)] gap-4">
          <dt className="text-std-16B-170 text-solid-gray-700">{t("lock.user")}</dt>
          <dd className="text-std-16N-170 text-solid-gray-900" data-testid="lock-user">
            {who}
          </dd>
        </dl>
        <label htmlFor="lock-password" className={labelClass}>
          {t("lock.password.label")}
        </label>
        <p id="lock-password-help" className={helpClass}>
          {t("lock.password.help")}
        </p>
        <input
          ref={fieldRef}
          id="lock-password"
          name="lockPassword"
          type="password"
          autoComplete="off"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            if (e.target.value !== "") setMissing(false);
          }}
          onKeyDown={onEnter}
          aria-required="true"
          aria-invalid={missing || undefined}
          aria-describedby={missing ? "lock-password-help lock-password-missing" : "lock-password-help"}
          data-testid="lock-password"
          className={`${inputClass} mt-1 w-full`}
        />
        {missing ? (
          <FieldMessage id="lock-password-missing" kind="error" role="alert">
            {t("lock.missingPassword")}
          </FieldMessage>
        ) : null}
        <div className="mt-8 flex flex-wrap items-center justify-between gap-4 border-t border-solid-gray-420 pt-4">
          <Button variant="secondary" busy={busy === "signOut"} onClick={() => void run("signOut")} data-testid="lock-signout">
            {busy === "signOut" ? t("lock.signingOut") : t("lock.signOut")}
          </Button>
          <Button type="submit" variant="primary" busy={busy === "unlock"} data-testid="lock-unlock">
            {busy === "unlock" ? t("lock.unlocking") : t("lock.unlock")}
          </Button>
        </div>
        <p className="mt-4 text-dns-14N-130 text-solid-gray-700">{t("lock.signOutHelp")}</p>
      </form>
    </Cover>
  );
}

/** After too many wrong passwords: what happened, then on to サインイン. */
export function SignedOutNotice({ message }: { message: string }) {
  const { dismissNotice } = useLock();
  const titleId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    buttonRef.current?.focus();
  }, []);
  return (
    <Cover testId="lock-signed-out" titleId={titleId}>
      <h1 id={titleId} className="mb-3 text-std-24B-150 text-solid-gray-900">
        {t("lock.signedOut.title")}
      </h1>
      <Notice kind="warning" role="alert" testId="lock-signed-out-message">
        {message}
      </Notice>
      <div className="mt-8 flex justify-end">
        <Button ref={buttonRef} variant="primary" onClick={dismissNotice} data-testid="lock-signed-out-continue">
          {t("lock.signedOut.toSignIn")}
        </Button>
      </div>
    </Cover>
  );
}
