/** Realistic data as the Rust side returns it. */
import type {
  AcquisitionOptions,
  AppInfo,
  ConflictView,
  DateView,
  Finding,
  IntegrityReport,
  LockStatus,
  NoteView,
  SessionView,
  SettingsView,
  SyncStatusView,
} from "../backend";

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

/** Nobody to lock for: the lock as Rust reports it when nobody is signed in. */
export const unlockedStatus: LockStatus = {
  locked: false,
  userId: null,
  displayName: null,
  idleLockSeconds: 1800,
  attemptsLeft: 5,
};

export const savedSettings: SettingsView = {
  centralUrl: "https://sync.kyosai.example.lg.jp/",
  rootCaPath: "C:\\ProgramData\\Kyosai\\kyosai-root-ca.pem",
  proxyUrl: "",
  officeCode: "13104",
  updatedAt: "2024-04-01T09:15:00+09:00",
  managed: [],
  policyPath: null,
};

export const emptySettings: SettingsView = {
  centralUrl: "",
  rootCaPath: "",
  proxyUrl: "",
  officeCode: "",
  updatedAt: null,
  managed: [],
  policyPath: null,
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

// Central service --------------------------------------------------------------------

/** A moment today at hh:mm local time, as Rust sends it (RFC 3339, UTC). */
export function todayAt(hours: number, minutes: number): string {
  const d = new Date();
  d.setHours(hours, minutes, 0, 0);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const notConfiguredStatus: SyncStatusView = {
  configured: false,
  online: false,
  syncing: false,
  lastSyncAt: null,
  pending: 0,
  conflicted: 0,
  rejected: 0,
  lastErrorCode: null,
  lastErrorMessage: null,
  signedInUser: null,
};

export const signedOutStatus: SyncStatusView = { ...notConfiguredStatus, configured: true };

export const onlineStatus: SyncStatusView = {
  configured: true,
  online: true,
  syncing: false,
  lastSyncAt: todayAt(9, 5),
  pending: 0,
  conflicted: 0,
  rejected: 0,
  lastErrorCode: null,
  lastErrorMessage: null,
  signedInUser: "sato.hanako",
};

export const offlineMessage =
  "中央サービスに接続できません。ネットワークの接続を確認してください。作業はこの端末に保存され、接続が戻ると自動で送信します。";

export const offlineStatus: SyncStatusView = {
  ...onlineStatus,
  online: false,
  pending: 3,
  lastErrorCode: "sync.offline",
  lastErrorMessage: offlineMessage,
};

export const session: SessionView = {
  userId: "sato.hanako",
  displayName: "佐藤 花子",
  roles: [{ id: "office_clerk", name: "所属所担当者" }],
  officeCode: "13104",
  officeName: "新宿区役所",
  positions: [],
};

export const headSession: SessionView = {
  userId: "suzuki.ichiro",
  displayName: "鈴木 一郎",
  roles: [
    { id: "office_clerk", name: "所属所担当者" },
    { id: "office_head", name: "所属所長" },
  ],
  officeCode: "13104",
  officeName: "新宿区役所",
  positions: [],
};

export const noteHandover: NoteView = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c01",
  title: "4月1日付 資格取得届の引き継ぎ",
  text: "新規採用職員12名分の資格取得届は、本日中に入力済みです。\n扶養認定の添付書類が2名分不足しています（山田さん、高橋さん）。",
  officeCode: "13104",
  label: null,
  version: 4,
  updatedBy: "suzuki.ichiro",
  updatedAt: "2024-04-01T06:30:00Z",
};

export const notePending: NoteView = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c02",
  title: "保険証の回収（退職者3名）",
  text: "3月末退職者の保険証を回収済み。4月5日に事務局へ送付予定。",
  officeCode: "13104",
  label: "未送信",
  version: null,
  updatedBy: null,
  updatedAt: "2024-04-02T01:10:00Z",
};

export const noteConflict: NoteView = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c03",
  title: "窓口当番表（4月）",
  text: "第1週: 佐藤、第2週: 鈴木",
  officeCode: "13104",
  label: "競合",
  version: 2,
  updatedBy: "suzuki.ichiro",
  updatedAt: "2024-04-02T02:00:00Z",
};

export const conflictNote: ConflictView = {
  recordId: noteConflict.id,
  kind: "note",
  state: "conflict",
  label: "競合",
  code: "record.version_conflict",
  message: "この記録はほかの職員が先に更新しました。内容を見比べて、再送信するか破棄してください。",
  baseVersion: 2,
  mine: {
    title: "窓口当番表（4月）",
    body: JSON.stringify({ text: "第1週: 佐藤\n第2週: 鈴木\n第3週: 高橋" }),
    officeCode: "13104",
    version: null,
    updatedBy: null,
    updatedAt: "2024-04-02T02:00:00Z",
  },
  server: {
    title: "窓口当番表（4月）",
    body: JSON.stringify({ text: "第1週: 佐藤\n第2週: 田中" }),
    officeCode: "13104",
    version: 3,
    updatedBy: "tanaka.jiro",
    updatedAt: "2024-04-02T01:45:00Z",
  },
};

export const rejectedOther: ConflictView = {
  recordId: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c09",
  kind: "dependent",
  state: "rejected",
  label: "差戻し",
  code: "forbidden",
  message: "この所属所の記録を変更する権限がありません。所属所長に確認してください。",
  baseVersion: null,
  mine: {
    title: "被扶養者 山田 太郎",
    body: JSON.stringify({ name: "山田 太郎", relation: "子", birthDate: "2015-06-01" }),
    officeCode: "13104",
    version: null,
    updatedBy: null,
    updatedAt: "2024-04-02T03:00:00Z",
  },
  server: null,
};

// 組合員資格取得届 --------------------------------------------------------------------

/** The choices as `acquisitions::options()` gives them (names from the domain). */
export const acquisitionOptions: AcquisitionOptions = {
  sexes: [
    { value: "male", label: "男" },
    { value: "female", label: "女" },
  ],
  reasons: [
    { value: "newHire", label: "新規採用" },
    { value: "transferFromOtherMutualAid", label: "他共済から転入" },
    { value: "fromNationalMutualAid", label: "国共済から" },
    { value: "returnFromContinuedLongTerm", label: "継続長期から復帰" },
    { value: "other", label: "その他" },
  ],
  memberTypes: [
    { value: "general", label: "一般組合員" },
    { value: "longTerm", label: "長期組合員" },
  ],
  appointments: [
    { value: "regular", label: "任期の定めのない常勤職員" },
    { value: "fixedTerm", label: "任期付職員" },
  ],
  payBases: [
    { value: "monthly", label: "月給" },
    { value: "daily", label: "日給" },
  ],
  pensionSchemes: [
    { value: "nationalPension", label: "国民年金" },
    { value: "employeesPension", label: "厚生年金" },
  ],
  relationships: [
    { value: "spouse", label: "配偶者" },
    { value: "child", label: "子" },
  ],
};
