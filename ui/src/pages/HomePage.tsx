import { useEffect, useState } from "react";
import { api, BackendError, type DateView } from "../backend";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { errorMessage, t, type MessageId } from "../i18n";
import { hrefFor, type RouteId } from "../lib/router";
import { isoWithWeekday, todayIso } from "../lib/text";

const CARDS: { route: RouteId; title: MessageId; body: MessageId }[] = [
  { route: "notes", title: "nav.notes", body: "home.card.notes" },
  { route: "wareki", title: "nav.wareki", body: "home.card.wareki" },
  { route: "settings", title: "nav.settings", body: "home.card.settings" },
  { route: "diagnostics", title: "nav.diagnostics", body: "home.card.diagnostics" },
];

export function HomePage() {
  const [today, setToday] = useState<DateView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    api.dateToWareki(todayIso()).then(
      (view) => alive && setToday(view),
      (err: unknown) =>
        alive &&
        setError(err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) })),
    );
    return () => {
      alive = false;
    };
  }, []);

  return (
    <div className="max-w-4xl">
      <PageHeading>{t("home.title")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("home.welcome")}</p>

      <section aria-labelledby="home-today" className="mb-8 rounded-12 border border-solid-gray-200 bg-solid-gray-50 px-6 py-4">
        <h2 id="home-today" className="text-std-16B-170 text-solid-gray-700">
          {t("home.today")}
        </h2>
        {today ? (
          <p data-testid="home-today">
            <span className="text-std-28B-150 text-solid-gray-900">{today.wareki}</span>
            <span className="ml-4 text-std-20N-150 text-solid-gray-700">{isoWithWeekday(today.iso)}</span>
          </p>
        ) : error ? (
          <Notice kind="error">{t("home.todayFailed", { message: error })}</Notice>
        ) : (
          <p className="text-std-16N-170 text-solid-gray-700">{t("common.loading")}</p>
        )}
      </section>

      <section aria-labelledby="home-areas">
        <h2 id="home-areas" className="mb-3 text-std-20B-150 text-solid-gray-900">
          {t("home.areas")}
        </h2>
        <ul className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          {CARDS.map((card) => (
            <li key={card.route}>
              <a
                href={hrefFor(card.route)}
                data-testid={`home-card-${card.route}`}
                className="group flex h-full flex-col gap-2 rounded-12 border border-solid-gray-420 bg-white p-5 hover:border-blue-900 hover:bg-blue-50"
              >
                <span className="text-std-18B-160 text-blue-900 underline underline-offset-[calc(3/16*1rem)] group-hover:decoration-[calc(3/16*1rem)]">
                  {t(card.title)}
                </span>
                <span className="text-std-16N-170 text-solid-gray-800">{t(card.body)}</span>
              </a>
            </li>
          ))}
        </ul>
        <p className="mt-6 text-std-16N-170 text-solid-gray-700">{t("home.keyboardHint")}</p>
      </section>
    </div>
  );
}
