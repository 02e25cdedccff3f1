import { t } from "../i18n";
import { useAppState } from "./appState";

/** The host of the central service URL, or the text as typed if it is not a URL. */
export function centralHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * Bottom bar: profile, office, central service, version. Its content
 * changes only on start-up and after saving settings, so the polite live
 * region does not chatter.
 */
export function StatusBar() {
  const { appInfo, settings, settingsLoaded } = useAppState();
  const office = settings?.officeCode ? settings.officeCode : null;
  const central = settings?.centralUrl ? centralHost(settings.centralUrl) : null;
  const item = "flex items-center gap-1.5 whitespace-nowrap";
  return (
    <footer className="border-t border-solid-gray-420 bg-solid-gray-800 px-4 py-1.5 text-dns-14N-130 text-white">
      <div role="status" aria-label={t("status.label")} data-testid="status-bar" className="flex flex-wrap items-center gap-x-6 gap-y-1">
        <span className={item}>
          <span className="text-solid-gray-200">{t("status.profile")}:</span>
          <span data-testid="status-profile">{appInfo?.profile ?? t("status.loading")}</span>
        </span>
        <span className={item} data-testid="status-office">
          {!settingsLoaded ? (
            t("status.loading")
          ) : office ? (
            <>
              <span className="text-solid-gray-200">{t("status.office")}:</span>
              <span>{office}</span>
            </>
          ) : (
            t("status.officeUnset")
          )}
        </span>
        <span className={item}>
          <span className="text-solid-gray-200">{t("status.central")}:</span>
          <span data-testid="status-central">
            {!settingsLoaded ? t("status.loading") : (central ?? t("status.centralUnset"))}
          </span>
        </span>
        <span className={`${item} ml-auto`}>
          <span className="text-solid-gray-200">{t("status.version")}</span>
          <span data-testid="status-version">{appInfo?.version ?? "—"}</span>
        </span>
      </div>
    </footer>
  );
}
