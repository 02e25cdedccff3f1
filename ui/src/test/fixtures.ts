/** Realistic data as the Rust side returns it. */
import type { AppInfo, DateView, Finding, IntegrityReport, SettingsView } from "../backend";

export const appInfo: AppInfo = {
  version: "0.1.0",
  profile: "default",
  dataDir: "C:\\Users\\sato.hanako\\AppData\\Local\\jp.or.kyosai.desk\\default",
  logDir: "C:\\Users\\sato.hanako\\AppData\\Local\\jp.or.kyosai.desk\\default\\logs",
  databasePath: "C:\\Users\\sato.hanako\\AppData\\Local\\jp.or.kyosai.desk\\default\\kyosai.sqlite3",
  schemaVersion: 3,
  buildProfile: "debug",
  startupError: null,
};

export const savedSettings: SettingsView = {
  centralUrl: "https://sync.kyosai.example.lg.jp/",
  rootCaPath: "C:\\ProgramData\\Kyosai\\kyosai-root-ca.pem",
  proxyUrl: "",
  officeCode: "13104",
  updatedAt: "2024-04-01T09:15:00+09:00",
};

export const emptySettings: SettingsView = {
  centralUrl: "",
  rootCaPath: "",
  proxyUrl: "",
  officeCode: "",
  updatedAt: null,
};

export function dateView(iso: string, era: DateView["era"], eraName: string, year: number): DateView {
  const [, m, d] = iso.split("-").map(Number) as [number, number, number];
  const yearText = year === 1 ? "元" : String(year);
  const wareki = `${eraName}${yearText}年${m}月${d}日`;
  return { iso, era, eraName, year, month: m, day: d, wareki, display: `${wareki} (${iso})` };
}

export const reiwa6April1 = dateView("2024-04-01", "reiwa", "令和", 6);
export const reiwa1May1 = dateView("2019-05-01", "reiwa", "令和", 1);

export const centralUrlNotHttps: Finding = {
  field: "centralUrl",
  code: "settings.central_url_not_https",
  severity: "error",
  message: "中央サービスのURLは https:// で始めてください。情報システム担当から案内されたURLを確認してください。",
};

export const officeCodeUnset: Finding = {
  field: "officeCode",
  code: "settings.office_code_missing",
  severity: "warning",
  message: "所属所番号が未設定です。申請を作成する前に設定してください。",
};

export const healthyReport: IntegrityReport = {
  ok: true,
  messages: [],
  foreignKeyViolations: 0,
  pageCount: 1234,
  sizeKib: 4936,
  schemaVersion: 3,
  elapsedMs: 87,
};
