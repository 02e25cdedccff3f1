/**
 * サインイン / サインアウト. Signed out: 利用者ID + パスワード, 「サインイン」
 * (or Enter, never while the IME is composing). A refusal is shown at the top
 * and only the password is cleared. Signed in: who (表示名, 利用者ID, 役割,
 * 所属所) and 「サインアウト」, which Rust refuses while work is unsent.
 */
import { useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { api, BackendError } from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, inputClass, labelClass, sectionClass } from "../components/styles";
import { errorMessage, t } from "../i18n";
import { useImeSafeEnter } from "../lib/ime";
import { hrefFor } from "../lib/router";
import { useAppState } from "../shell/appState";

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

function focusHeading() {
  document.getElementById("page-title")?.focus();
}

type Outcome = { kind: "signedIn" } | { kind: "signedOut" } | null;

export function SignInPage() {
  const { sync, signedInUser } = useAppState();
  const [outcome, setOutcome] = useState<Outcome>(null);
  const notConfigured = sync?.configured === false;
  const signedIn = signedInUser !== null;

  // The form and the sign-out view replace each other: start reading at the top again.
  useEffect(() => {
    if (outcome) focusHeading();
  }, [outcome]);

  return (
    <div className="max-w-3xl">
      <PageHeading>{signedIn ? t("nav.signout") : t("nav.signin")}</PageHeading>
      <div role="status" data-testid="signin-status" className="mb-4 text-std-16B-170 text-success-2 empty:hidden">
        {outcome?.kind === "signedIn" && signedIn ? t("signin.done") : null}
        {outcome?.kind === "signedOut" && !signedIn ? t("signout.done") : null}
      </div>
      {signedIn ? (
        <SignedIn onSignedOut={() => setOutcome({ kind: "signedOut" })} />
      ) : notConfigured ? (
        <Notice kind="info" testId="signin-not-configured">
          <p>{t("signin.notConfigured")}</p>
          <p className="mt-2">
            <a href={hrefFor("settings")} className="underline underline-offset-[calc(3/16*1rem)]" data-testid="signin-to-settings">
              {t("signin.toSettings")}
            </a>
          </p>
        </Notice>
      ) : (
        <SignInForm onSignedIn={() => setOutcome({ kind: "signedIn" })} />
      )}
    </div>
  );
}

function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { setSession } = useAppState();
  const [userId, setUserId] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const userRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function submit() {
    if (inFlight.current) return;
    if (userId.trim() === "") {
      setError(t("signin.missingUserId"));
      userRef.current?.focus();
      return;
    }
    if (password === "") {
      setError(t("signin.missingPassword"));
      passwordRef.current?.focus();
      return;
    }
    inFlight.current = true;
    setBusy(true);
    try {
      const view = await api.signIn(userId.trim(), password);
      setPassword("");
      setError(null);
      setSession(view);
      onSignedIn();
    } catch (err) {
      setPassword("");
      setError(t("signin.failed", { message: describe(err) }));
      passwordRef.current?.focus();
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void submit();
  }

  const onEnter = useImeSafeEnter<HTMLInputElement>(() => void submit());

  return (
    <form noValidate onSubmit={onSubmit} aria-busy={busy || undefined} data-testid="signin-form">
      <p className="mb-6 text-std-16N-175">{t("signin.intro")}</p>
      <div className="mb-6 empty:hidden">
        {error ? (
          <Notice kind="error" role="alert" testId="signin-error">
            {error}
          </Notice>
        ) : null}
      </div>
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-1">
          <label htmlFor="userId" className={labelClass}>
            {t("signin.userId.label")}
          </label>
          <p id="userId-help" className={helpClass}>
            {t("signin.userId.help")}
          </p>
          <input
            ref={userRef}
            id="userId"
            name="userId"
            type="text"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            value={userId}
            onChange={(event) => setUserId(event.target.value)}
            onKeyDown={onEnter}
            aria-describedby="userId-help"
            aria-required="true"
            data-testid="signin-user"
            className={`${inputClass} mt-1 w-full max-w-md`}
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="password" className={labelClass}>
            {t("signin.password.label")}
          </label>
          <p id="password-help" className={helpClass}>
            {t("signin.password.help")}
          </p>
          <input
            ref={passwordRef}
            id="password"
            name="password"
            type="password"
            autoComplete="off"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            onKeyDown={onEnter}
            aria-describedby="password-help"
            aria-required="true"
            data-testid="signin-password"
            className={`${inputClass} mt-1 w-full max-w-md`}
          />
        </div>
      </div>
      <div className="mt-8 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 pt-4">
        <span className="text-dns-14N-130 text-solid-gray-700">{t("signin.enterHint")}</span>
        <Button type="submit" variant="primary" busy={busy} data-testid="signin-submit">
          {busy ? t("signin.submitting") : t("signin.submit")}
        </Button>
      </div>
    </form>
  );
}

function SignedIn({ onSignedOut }: { onSignedOut: () => void }) {
  const { session, signedInUser, setSession } = useAppState();
  const [error, setError] = useState<{ code: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);

  async function signOut() {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      await api.signOut();
      setError(null);
      setSession(null);
      onSignedOut();
    } catch (err) {
      const code = err instanceof BackendError ? err.code : "ipc.failed";
      setError({ code, text: t("signout.failed", { message: describe(err) }) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }

  const row = "grid grid-cols-[10rem_minmax(0,1fr)] gap-4 border-b border-solid-gray-200 py-2 last:border-b-0";
  const term = "text-std-16B-170 text-solid-gray-700";
  const value = "text-std-16N-170 text-solid-gray-900";

  return (
    <>
      <p className="mb-6 text-std-16N-175">{t("signout.intro")}</p>
      <div className="mb-6 empty:hidden">
        {error ? (
          <Notice kind="error" role="alert" testId="signout-error">
            <p>{error.text}</p>
            {error.code === "sync.unsent_work" ? (
              <ul className="mt-2 flex flex-col gap-1">
                <li>
                  <a href={hrefFor("conflicts")} className="underline underline-offset-[calc(3/16*1rem)]" data-testid="signout-to-conflicts">
                    {t("signout.toConflicts")}
                  </a>
                </li>
                <li>
                  <a href={hrefFor("notes")} className="underline underline-offset-[calc(3/16*1rem)]" data-testid="signout-to-notes">
                    {t("signout.toNotes")}
                  </a>
                </li>
              </ul>
            ) : null}
          </Notice>
        ) : null}
      </div>
      <section aria-labelledby="signin-who-heading" className={sectionClass}>
        <h2 id="signin-who-heading" className="mb-3 text-std-20B-150 text-solid-gray-900">
          {t("signin.who.heading")}
        </h2>
        <dl data-testid="signin-who">
          {session ? (
            <div className={row}>
              <dt className={term}>{t("signin.who.displayName")}</dt>
              <dd className={value}>{session.displayName}</dd>
            </div>
          ) : null}
          <div className={row}>
            <dt className={term}>{t("signin.who.userId")}</dt>
            <dd className={`${value} select-text`}>{session?.userId ?? signedInUser}</dd>
          </div>
          {session ? (
            <>
              <div className={row}>
                <dt className={term}>{t("signin.who.roles")}</dt>
                <dd className={value}>{session.roles.map((r) => r.name).join(t("common.listSeparator")) || t("common.notSet")}</dd>
              </div>
              <div className={row}>
                <dt className={term}>{t("signin.who.office")}</dt>
                <dd className={value}>
                  {session.officeCode
                    ? session.officeName
                      ? t("signin.who.officeValue", { name: session.officeName, code: session.officeCode })
                      : session.officeCode
                    : t("common.notSet")}
                </dd>
              </div>
            </>
          ) : null}
        </dl>
        {session ? null : <p className="mt-3 text-std-16N-170 text-solid-gray-700">{t("signin.who.pending")}</p>}
      </section>
      <div className="mt-8 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 pt-4">
        <Button variant="primary" busy={busy} onClick={() => void signOut()} data-testid="signout">
          {busy ? t("signout.submitting") : t("signout.submit")}
        </Button>
      </div>
    </>
  );
}
