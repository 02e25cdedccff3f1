/**
 * 設定: central service URL, root CA file, proxy, office code.
 * Checks come from Rust (`checkSettings` with the whole draft) whenever a
 * field loses focus; 保存 (or Ctrl+S) checks again and saves. Nothing the
 * clerk typed is lost when saving fails.
 * What IT's machine policy sets is read-only: the form's fields in grey, and the keys the
 * form has no field for (update channel, automatic updates, log retention) in a block of
 * their own, both with the policy file's path.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { FocusEvent, FormEvent } from "react";
import {
  api,
  BackendError,
  type Finding,
  type SettingsDraft,
  type SettingsView,
  type UpdateChannel,
  type UpdatesMode,
} from "../backend";
import { Button } from "../components/Button";
import { FieldMessage, Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, inputClass, labelClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { isComposing } from "../lib/ime";
import { useAppState } from "../shell/appState";

export type SettingsField = keyof SettingsDraft;

interface FieldDef {
  key: SettingsField;
  label: MessageId;
  help: MessageId;
  inputMode: "url" | "text" | "numeric";
  placeholder?: string;
}

export const SETTINGS_FIELDS: readonly FieldDef[] = [
  { key: "centralUrl", label: "settings.centralUrl.label", help: "settings.centralUrl.help", inputMode: "url" },
  { key: "rootCaPath", label: "settings.rootCaPath.label", help: "settings.rootCaPath.help", inputMode: "text" },
  { key: "proxyUrl", label: "settings.proxyUrl.label", help: "settings.proxyUrl.help", inputMode: "url" },
  { key: "officeCode", label: "settings.officeCode.label", help: "settings.officeCode.help", inputMode: "numeric" },
];

const EMPTY: SettingsDraft = { centralUrl: "", rootCaPath: "", proxyUrl: "", officeCode: "" };

function toDraft(view: SettingsView): SettingsDraft {
  return {
    centralUrl: view.centralUrl,
    rootCaPath: view.rootCaPath,
    proxyUrl: view.proxyUrl,
    officeCode: view.officeCode,
  };
}

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat("ja-JP", { dateStyle: "long", timeStyle: "short" }).format(date);
}

/** The policy keys that have no field on the form; each present only when the policy sets it. */
interface PolicyOnly {
  updateChannel?: UpdateChannel;
  updates?: UpdatesMode;
  logRetentionDays?: number;
}

function policyOnly(view: SettingsView): PolicyOnly {
  const keys: PolicyOnly = {};
  if (view.updateChannel) keys.updateChannel = view.updateChannel;
  if (view.updates) keys.updates = view.updates;
  if (typeof view.logRetentionDays === "number") keys.logRetentionDays = view.logRetentionDays;
  return keys;
}

type Banner = { kind: "error"; text: string } | { kind: "saved" } | null;

export function SettingsPage() {
  const { setSettings } = useAppState();
  const [draft, setDraft] = useState<SettingsDraft>(EMPTY);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  // Fields IT's machine policy sets: shown read-only, never saved from here.
  const [managed, setManaged] = useState<{ fields: readonly string[]; path: string | null }>({ fields: [], path: null });
  const [policy, setPolicy] = useState<PolicyOnly>({});
  const [loading, setLoading] = useState(true);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [touched, setTouched] = useState<ReadonlySet<SettingsField>>(new Set());
  const [banner, setBanner] = useState<Banner>(null);
  const [saving, setSaving] = useState(false);
  const inFlight = useRef(false);
  const checkSeq = useRef(0);
  const bannerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let alive = true;
    api.getSettings().then(
      (view) => {
        if (!alive) return;
        // Keep anything typed while loading.
        setDraft((current) => (current === EMPTY ? toDraft(view) : current));
        setUpdatedAt(view.updatedAt);
        setManaged({ fields: view.managed, path: view.policyPath });
        setPolicy(policyOnly(view));
        setLoading(false);
      },
      (err: unknown) => {
        if (!alive) return;
        setBanner({ kind: "error", text: t("settings.loadFailed", { message: describe(err) }) });
        setLoading(false);
      },
    );
    return () => {
      alive = false;
    };
  }, []);

  function change(key: SettingsField, value: string) {
    setDraft((current) => ({ ...current, [key]: value }));
    setBanner((current) => (current?.kind === "saved" ? null : current));
  }

  function check(key: SettingsField) {
    const nextTouched = new Set(touched).add(key);
    setTouched(nextTouched);
    const mine = ++checkSeq.current;
    api.checkSettings(draft).then(
      (result) => {
        if (mine === checkSeq.current) setFindings(result);
      },
      (err: unknown) => {
        if (mine !== checkSeq.current) return;
        setBanner({ kind: "error", text: t("settings.checkFailed", { message: describe(err) }) });
      },
    );
  }

  async function save() {
    if (inFlight.current) return;
    inFlight.current = true;
    setSaving(true);
    const submitted = draft;
    try {
      const result = await api.checkSettings(submitted);
      checkSeq.current++;
      setFindings(result);
      const errors = result.filter((f) => f.severity === "error");
      if (errors.length > 0) {
        setTouched(new Set(SETTINGS_FIELDS.map((f) => f.key)));
        setBanner({ kind: "error", text: t("settings.hasErrors") });
        const first = SETTINGS_FIELDS.find((f) => errors.some((e) => e.field === f.key));
        if (first) document.getElementById(first.key)?.focus();
        return;
      }
      const saved = await api.saveSettings(submitted);
      setDraft(toDraft(saved));
      setUpdatedAt(saved.updatedAt);
      setSettings(saved);
      setBanner({ kind: "saved" });
    } catch (err) {
      setBanner({ kind: "error", text: t("settings.saveFailed", { message: describe(err) }) });
      bannerRef.current?.scrollIntoView?.({ block: "nearest" });
    } finally {
      inFlight.current = false;
      setSaving(false);
    }
  }

  const actionsRef = useRef<HTMLDivElement>(null);
  // The grey-field notice only when a grey field is on the page.
  const greyFields = SETTINGS_FIELDS.some((f) => managed.fields.includes(f.key));

  /** Keeps the focused field (and its focus ring) clear of the sticky 保存 bar. */
  function keepClearOfActions(event: FocusEvent<HTMLFormElement>) {
    const target = event.target as Element;
    const bar = actionsRef.current;
    if (!bar || target === bar || bar.contains(target)) return;
    const overlap = target.getBoundingClientRect().bottom + 12 - bar.getBoundingClientRect().top;
    if (overlap <= 0) return;
    let scroller: HTMLElement | null = bar.parentElement;
    while (scroller && scroller.scrollHeight <= scroller.clientHeight) scroller = scroller.parentElement;
    scroller?.scrollBy?.({ top: overlap });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void save();
  }

  // Ctrl+S anywhere on this page saves (the browser's "save page" is never wanted).
  const onCtrlS = useEffectEvent((event: KeyboardEvent) => {
    const isS = event.code === "KeyS" || event.key.toLowerCase() === "s";
    if (!isS || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    event.preventDefault();
    if (isComposing(event)) return;
    void save();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onCtrlS(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  return (
    <div className="max-w-3xl">
      <PageHeading>{t("settings.title")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("settings.intro")}</p>

      <form noValidate onSubmit={onSubmit} onFocus={keepClearOfActions} aria-busy={loading || saving || undefined} data-testid="settings-form">
        <div ref={bannerRef} className="mb-6 empty:hidden">
          {banner?.kind === "error" ? (
            <Notice kind="error" role="alert" testId="settings-error">
              {banner.text}
            </Notice>
          ) : null}
        </div>

        {loading ? <p className="mb-4 text-std-16N-170 text-solid-gray-700">{t("common.loading")}</p> : null}

        {greyFields ? (
          <Notice kind="info" className="mb-6" testId="settings-managed">
            {t("settings.managedNotice", { path: managed.path ?? "" })}
          </Notice>
        ) : null}

        <div className="flex flex-col gap-6">
          {SETTINGS_FIELDS.map((field) => {
            const isManaged = managed.fields.includes(field.key);
            const mine = touched.has(field.key) ? findings.filter((f) => f.field === field.key) : [];
            const hasError = mine.some((f) => f.severity === "error");
            const helpId = `${field.key}-help`;
            const findingIds = mine.map((_, i) => `${field.key}-finding-${i}`);
            return (
              <div key={field.key} className="flex flex-col gap-1" data-testid={`settings-field-${field.key}`}>
                <label htmlFor={field.key} className={labelClass}>
                  {t(field.label)}
                </label>
                <p id={helpId} className={helpClass}>
                  {t(field.help)}
                </p>
                <input
                  id={field.key}
                  name={field.key}
                  type="text"
                  inputMode={field.inputMode}
                  autoComplete="off"
                  spellCheck={false}
                  value={draft[field.key]}
                  readOnly={isManaged}
                  aria-readonly={isManaged || undefined}
                  title={isManaged ? t("settings.managedField") : undefined}
                  onChange={(event) => change(field.key, event.target.value)}
                  onBlur={() => {
                    if (!isManaged) check(field.key);
                  }}
                  aria-invalid={hasError || undefined}
                  aria-describedby={[helpId, ...findingIds].join(" ")}
                  data-testid={`settings-${field.key}`}
                  className={`${inputClass} mt-1 w-full ${isManaged ? "bg-solid-gray-50 text-solid-gray-700" : ""}`}
                />
                {mine.length > 0 ? (
                  <div className="mt-1 flex flex-col gap-1" data-testid={`settings-findings-${field.key}`}>
                    {mine.map((finding, i) => (
                      <FieldMessage
                        key={`${finding.code}-${i}`}
                        id={findingIds[i] ?? `${field.key}-finding-${i}`}
                        kind={finding.severity === "error" ? "error" : "warning"}
                        role={finding.severity === "error" ? "alert" : undefined}
                      >
                        {errorMessage(finding)}
                      </FieldMessage>
                    ))}
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>

        <PolicyBlock policy={policy} path={managed.path} />

        {/* Kept in view at the bottom of the page so 保存 and its outcome are always visible. */}
        <div ref={actionsRef} className="sticky bottom-0 -mx-4 mt-8 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 bg-white px-4 py-4">
          <p className="mr-auto text-std-16N-170 text-solid-gray-700">
            {updatedAt ? t("settings.updatedAt", { when: formatWhen(updatedAt) }) : t("settings.neverSaved")}
          </p>
          <span role="status" data-testid="settings-status" className="text-std-16B-170 text-success-2">
            {banner?.kind === "saved" ? <span data-testid="settings-saved">{t("settings.saved")}</span> : null}
          </span>
          <span className="text-dns-14N-130 text-solid-gray-700">{t("settings.shortcutHint")}</span>
          <Button type="submit" variant="primary" busy={saving} aria-keyshortcuts="Control+S" data-testid="settings-save">
            {saving ? t("settings.saving") : t("settings.save")}
          </Button>
        </div>
      </form>
    </div>
  );
}

function PolicyRow({ label, children, testId }: { label: MessageId; children: string; testId: string }) {
  return (
    <div className="grid grid-cols-[12rem_minmax(0,1fr)] gap-4 border-b border-solid-gray-200 py-2 last:border-b-0">
      <dt className="text-std-16B-170 text-solid-gray-700">{t(label)}</dt>
      <dd className="text-std-16N-170 text-solid-gray-700" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** 「IT管理者が設定している項目」: the policy keys the form has no field for, read-only (grey). */
function PolicyBlock({ policy, path }: { policy: PolicyOnly; path: string | null }) {
  const { updateChannel, updates, logRetentionDays } = policy;
  if (updateChannel === undefined && updates === undefined && logRetentionDays === undefined) return null;
  return (
    <section
      aria-labelledby="settings-policy-heading"
      data-testid="settings-policy"
      className="mt-8 rounded-8 border border-solid-gray-420 bg-solid-gray-50 px-4 py-3"
    >
      <h2 id="settings-policy-heading" className="text-std-16B-170 text-solid-gray-900">
        {t("settings.policy.heading")}
      </h2>
      <p className="mb-2 text-std-16N-170 text-solid-gray-700" data-testid="settings-policy-source">
        {path ? t("settings.policy.source", { path }) : t("settings.policy.sourceUnknown")}
      </p>
      <dl>
        {updateChannel !== undefined ? (
          <PolicyRow label="settings.policy.updateChannel" testId="settings-policy-updateChannel">
            {t(updateChannel === "beta" ? "settings.policy.updateChannel.beta" : "settings.policy.updateChannel.stable")}
          </PolicyRow>
        ) : null}
        {updates !== undefined ? (
          <PolicyRow label="settings.policy.updates" testId="settings-policy-updates">
            {t(updates === "off" ? "settings.policy.updates.off" : "settings.policy.updates.auto")}
          </PolicyRow>
        ) : null}
        {logRetentionDays !== undefined ? (
          <PolicyRow label="settings.policy.logRetentionDays" testId="settings-policy-logRetentionDays">
            {t("settings.policy.days", { n: logRetentionDays })}
          </PolicyRow>
        ) : null}
      </dl>
    </section>
  );
}
