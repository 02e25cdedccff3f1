/**
 * The shell: header, 業務メニュー, the current page and the status bar.
 * Keyboard: the skip link is the first Tab stop, Alt+1..Alt+9 and Alt+0 open the
 * ten areas (競合の確認 has no shortcut: the status bar links to it), and opening
 * a page moves focus to its <h1>.
 * Locked (idle time; see shell/lock), the lock screen covers the shell, which stays
 * mounted underneath with what was typed.
 */
import { lazy, Suspense, useEffect, useRef } from "react";
import { api } from "./backend";
import { Badge } from "./components/Badge";
import { Notice } from "./components/Notice";
import { errorMessage, t, type MessageId } from "./i18n";
import { isComposing } from "./lib/ime";
import { hrefFor, navigate, ROUTES, useRoute, type RouteDef, type RouteId } from "./lib/router";
import { AcquisitionImportPage } from "./pages/AcquisitionImportPage";
import { AcquisitionsPage } from "./pages/AcquisitionsPage";
import { ConflictsPage } from "./pages/ConflictsPage";
import { mayOpenDashboard } from "./pages/dashboard/model";
import { DiagnosticsPage } from "./pages/DiagnosticsPage";
import { HomePage } from "./pages/HomePage";
import { InboxPage } from "./pages/InboxPage";
import { NotesPage } from "./pages/NotesPage";
import { OcrPage } from "./pages/OcrPage";
import { ProcurementPage } from "./pages/ProcurementPage";
import { ProposalsPage } from "./pages/ProposalsPage";
import { SettingsPage } from "./pages/SettingsPage";
import { SignInPage } from "./pages/SignInPage";
import { WarekiPage } from "./pages/WarekiPage";
import { AppStateProvider, useAppState } from "./shell/appState";
import { KeyLostScreen } from "./shell/KeyLostScreen";
import { LockProvider, useLock } from "./shell/lock";
import { LockScreen, SignedOutNotice } from "./shell/LockScreen";
import { StatusBar } from "./shell/StatusBar";

// 見える化 carries the charting library: loaded when first opened, not at start.
const DashboardPage = lazy(() => import("./pages/DashboardPage").then((m) => ({ default: m.DashboardPage })));

export function App() {
  return (
    <AppStateProvider>
      <LockProvider>
        <LockedShell />
      </LockProvider>
    </AppStateProvider>
  );
}

/** The shell, under the lock screen while locked (a new one after a forced sign-out). */
function LockedShell() {
  const { locked, generation, signedOutNotice } = useLock();
  return (
    <>
      <Shell key={generation} />
      {locked ? <LockScreen /> : signedOutNotice ? <SignedOutNotice message={signedOutNotice} /> : null}
    </>
  );
}

function focusPageHeading(): void {
  const heading = document.querySelector<HTMLElement>("#main-content h1");
  if (!heading) return;
  heading.focus();
  heading.scrollIntoView?.({ block: "nearest" });
}

/** Alt+<digit> as a route, from the physical key first (layouts differ), then the character. */
function shortcutRoute(event: KeyboardEvent): RouteId | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  const digit = /^(?:Digit|Numpad)(\d)$/.exec(event.code)?.[1] ?? (/^\d$/.test(event.key) ? event.key : null);
  return ROUTES.find((r) => r.shortcut === digit)?.id ?? null;
}

function Page({ route }: { route: RouteId }) {
  switch (route) {
    case "home":
      return <HomePage />;
    case "wareki":
      return <WarekiPage />;
    case "settings":
      return <SettingsPage />;
    case "diagnostics":
      return <DiagnosticsPage />;
    case "notes":
      return <NotesPage />;
    case "signin":
      return <SignInPage />;
    case "inbox":
      return <InboxPage />;
    case "proposals":
      return <ProposalsPage />;
    case "acquisitions":
      return <AcquisitionsPage />;
    case "acquisitionImport":
      return <AcquisitionImportPage />;
    case "conflicts":
      return <ConflictsPage />;
    case "procurement":
      return <ProcurementPage />;
    case "ocr":
      return <OcrPage />;
    case "dashboard":
      return (
        <Suspense fallback={<p className="text-std-16N-170 text-solid-gray-700">{t("common.loading")}</p>}>
          <DashboardPage />
        </Suspense>
      );
  }
}

/** The menu's words for a route: サインイン becomes サインアウト while someone is signed in. */
function routeLabel(route: RouteDef, signedIn: boolean): MessageId {
  return route.id === "signin" && signedIn ? "nav.signout" : route.label;
}

function Shell() {
  const route = useRoute();
  const { appInfo, appInfoError, sync, signedInUser, session } = useAppState();
  const signedIn = signedInUser !== null;
  const problems = sync ? sync.conflicted + sync.rejected : 0;
  // 競合の確認 is in the menu while there is something to settle (and while it is open).
  // 見える化 only for the roles that may see it.
  const routes = ROUTES.filter(
    (r) =>
      r.id !== "acquisitionImport" &&
      (r.id !== "conflicts" || problems > 0 || route === "conflicts") &&
      (r.id !== "dashboard" || mayOpenDashboard(session)),
  );
  const readySent = useRef(false);
  const shownRoute = useRef<RouteId>(route);

  // Start-up benchmarks measure up to here: the shell has rendered once.
  useEffect(() => {
    if (readySent.current) return;
    readySent.current = true;
    api.frontendReady().catch(() => {
      // Only a measurement; a failure must not disturb the clerk.
    });
  }, []);

  useEffect(() => {
    const def = ROUTES.find((r) => r.id === route);
    const label = def ? routeLabel(def, signedIn) : "nav.home";
    document.title = route === "home" ? t("app.name") : `${t(label)} - ${t("app.name")}`;
    if (shownRoute.current === route) return;
    shownRoute.current = route;
    focusPageHeading();
  }, [route, signedIn]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const target = shortcutRoute(event);
      if (!target || isComposing(event)) return;
      event.preventDefault();
      if (target === route) focusPageHeading();
      else navigate(target);
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [route]);

  return (
    <div className="grid h-screen grid-cols-[220px_minmax(0,1fr)] grid-rows-[auto_minmax(0,1fr)_auto] bg-white text-solid-gray-800">
      <a
        href="#main-content"
        className="skip-link"
        data-testid="skip-link"
        onClick={(event) => {
          event.preventDefault();
          focusPageHeading();
        }}
      >
        {t("shell.skipLink")}
      </a>
      <header className="col-span-2 flex items-center gap-4 border-b border-solid-gray-420 bg-white px-6 py-3">
        <p className="text-std-24B-150 text-solid-gray-900" data-testid="product-name">
          {t("app.name")}
        </p>
        <p className="text-dns-16N-130 text-solid-gray-700">{t("app.organisation")}</p>
      </header>
      <nav aria-label={t("shell.nav.label")} className="overflow-y-auto border-r border-solid-gray-420 bg-solid-gray-50 py-4">
        <ul className="flex flex-col gap-1 px-2">
          {routes.map((r) => {
            const current = r.id === route;
            return (
              <li key={r.id}>
                <a
                  href={hrefFor(r.id)}
                  aria-current={current ? "page" : undefined}
                  aria-keyshortcuts={r.shortcut ? `Alt+${r.shortcut}` : undefined}
                  data-testid={`nav-${r.id}`}
                  onClick={() => {
                    if (current) focusPageHeading();
                  }}
                  className={[
                    "flex min-h-12 items-center justify-between gap-2 rounded-8 border-l-4 px-3 py-2 text-std-16N-170",
                    current
                      ? "border-blue-900 bg-blue-100 font-bold text-blue-1000"
                      : "border-transparent text-solid-gray-900 underline-offset-[calc(3/16*1rem)] hover:bg-solid-gray-100 hover:underline",
                  ].join(" ")}
                >
                  <span>{t(routeLabel(r, signedIn))}</span>
                  {r.shortcut ? (
                    <span aria-hidden="true" className="text-dns-14N-120 text-solid-gray-700">
                      {t("shell.nav.shortcutHint", { n: r.shortcut })}
                    </span>
                  ) : r.id === "conflicts" && problems > 0 ? (
                    <Badge tone="warning" testId="nav-conflicts-count">
                      {t("nav.conflictCount", { n: problems })}
                    </Badge>
                  ) : null}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main-content" aria-labelledby="page-title" className="scroll-pt-4 scroll-pb-32 overflow-y-auto px-10 py-8">
        {appInfoError ? (
          <Notice kind="error" role="alert" className="mb-6">
            {t("shell.loadFailed", { message: appInfoError })}
          </Notice>
        ) : null}
        {appInfo?.startupError?.code === "store.key_lost" ? (
          // This PC's key does not open the database: every page would fail; say why.
          <KeyLostScreen />
        ) : (
          <>
            {appInfo?.startupError ? (
              <Notice kind="error" role="alert" className="mb-6" testId="startup-error">
                {t("shell.startupError", { message: errorMessage(appInfo.startupError) })}
              </Notice>
            ) : null}
            <Page route={route} />
          </>
        )}
      </main>
      <div className="col-span-2">
        <StatusBar />
      </div>
    </div>
  );
}
