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
  OcrDocumentState,
  OcrDocumentView,
  OcrField,
  OcrMetricsView,
  OcrQueueItem,
  OcrQueueView,
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

// AI-OCR correction queue ---------------------------------------------------------------

export const ocrTemplates = [
  { id: "shikaku-shutoku-todoke", name: "組合員資格取得届" },
  { id: "seikyusho", name: "請求書" },
];

export const ocrEmptyQueue: OcrQueueView = { items: [], templates: ocrTemplates, mine: 0, exceptions: 0 };

export const OCR_DOC = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a01";
export const OCR_DOC_NEXT = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a02";

/** A field as `ocr_open` gives it; nothing to do unless `task` says so. */
export function ocrField(over: Partial<OcrField> & Pick<OcrField, "field" | "label">): OcrField {
  return {
    kind: "text",
    page: 1,
    bbox: { x: 400, y: 300, w: 600, h: 60 },
    task: null,
    route: "accepted",
    suggested: "",
    engineValue: null,
    confidence: null,
    reasons: [],
    findings: [],
    decided: null,
    myEntry: null,
    entries: [],
    options: [],
    sensitive: false,
    ...over,
  };
}

/** 資格取得届 of 山田 太郎: four fields for me (two reviews, the 性別 box, the handwritten 住所). */
export function ocrFields(): OcrField[] {
  return [
    ocrField({
      field: "office.code",
      label: "所属所番号",
      kind: "number",
      bbox: { x: 240, y: 180, w: 300, h: 50 },
      engineValue: "13104",
      confidence: 0.97,
      decided: { value: "13104", resolution: "auto", by: [], at: null },
    }),
    ocrField({
      field: "member.nameKana",
      label: "フリガナ",
      kind: "kana",
      task: "review",
      route: "review",
      suggested: "ヤマダ タロワ",
      engineValue: "ヤマダ タロワ",
      confidence: 0.52,
      reasons: ["確信度 52% が基準 90% を下回っています"],
    }),
    ocrField({
      field: "member.name",
      label: "氏名",
      task: "review",
      route: "review",
      suggested: "山田 太郎",
      engineValue: "山田 太郎",
      confidence: 0.78,
      reasons: ["確信度 78% が基準 90% を下回っています"],
    }),
    ocrField({
      field: "member.sex",
      label: "性別",
      kind: "choice",
      task: "review",
      route: "review",
      suggested: "male",
      engineValue: "male",
      confidence: 0.7,
      reasons: ["確信度 70% が基準 80% を下回っています"],
      options: [
        { value: "male", label: "男" },
        { value: "female", label: "女" },
      ],
    }),
    ocrField({
      field: "member.address",
      label: "住所",
      task: "blind_entry",
      route: "double_entry",
      reasons: ["手書きの項目です（2人が別々に入力します）"],
    }),
    ocrField({
      field: "member.myNumber",
      label: "個人番号",
      kind: "identifier",
      engineValue: "123456789018",
      confidence: 0.99,
      decided: { value: "123456789018", resolution: "auto", by: [], at: null },
      sensitive: true,
    }),
  ];
}

export function ocrState(over: Partial<OcrDocumentState> = {}): OcrDocumentState {
  const fields = over.fields ?? ocrFields();
  return {
    id: OCR_DOC,
    status: "open",
    exceptionReason: null,
    fields,
    myTasks: fields.filter((f) => f.task).length,
    undecided: fields.filter((f) => !f.decided).length,
    canUndo: false,
    handedOff: null,
    lastFindings: [],
    ...over,
  };
}

export function ocrView(over: Partial<OcrDocumentView> = {}): OcrDocumentView {
  const state = over.state ?? ocrState();
  return {
    state,
    templateName: "組合員資格取得届",
    sourceName: "scan-0001.pdf",
    documentLabel: "20261126-093000-scan-0001",
    pages: [{ page: 1, src: "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==", width: 1240, height: 1754, scale: 0.5 }],
    crops: state.fields.map((f) => ({ field: f.field, src: `data:image/png;base64,iVBORw0KGgo=${encodeURIComponent(f.field)}` })),
    leaseUntil: "2026-11-26T00:35:00+00:00",
    nextId: null,
    remainingDocuments: 1,
    ...over,
  };
}

/** The state Rust answers after `value` was entered for `field` by 佐藤 花子. */
export function ocrAfterEnter(state: OcrDocumentState, field: string, value: string, over: Partial<OcrDocumentState> = {}): OcrDocumentState {
  const fields = state.fields.map((f) => {
    if (f.field !== field) return f;
    if (f.task === "blind_entry") return { ...f, task: null, myEntry: value };
    return {
      ...f,
      task: null,
      suggested: "",
      decided: { value, resolution: value === f.engineValue ? "confirmed" : "corrected", by: ["佐藤 花子"], at: "2026-11-26T00:31:00Z" },
    };
  });
  return ocrState({
    ...state,
    fields,
    myTasks: fields.filter((f) => f.task).length,
    undecided: fields.filter((f) => !f.decided).length,
    canUndo: true,
    lastFindings: [],
    ...over,
  });
}

export function ocrItem(over: Partial<OcrQueueItem> & Pick<OcrQueueItem, "id">): OcrQueueItem {
  return {
    templateId: "shikaku-shutoku-todoke",
    templateName: "組合員資格取得届",
    sourceName: "scan-0001.pdf",
    documentLabel: "20261126-093000-scan-0001",
    importedAt: "2026-11-26T00:30:00Z",
    importedBy: "佐藤 花子",
    status: "open",
    exceptionReason: null,
    exceptionBy: null,
    myTasks: 0,
    undecided: 0,
    fields: 18,
    handedOffKind: null,
    handedOffRecordId: null,
    unsent: false,
    ...over,
  };
}

export const ocrQueue: OcrQueueView = {
  items: [
    ocrItem({ id: OCR_DOC, myTasks: 4, undecided: 4, unsent: true }),
    ocrItem({ id: OCR_DOC_NEXT, documentLabel: "20261126-093000-scan-0002", myTasks: 2, undecided: 2 }),
    ocrItem({
      id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a03",
      sourceName: "scan-0002.pdf",
      documentLabel: "20261125-161500-scan-0002",
      importedBy: "木村 由美",
      undecided: 1,
    }),
    ocrItem({
      id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a04",
      templateId: "seikyusho",
      templateName: "請求書",
      sourceName: "invoice-tobu.pdf",
      documentLabel: "20261125-140000-invoice-tobu",
      status: "exception",
      exceptionReason: "請求金額の欄が破れていて読めない",
      exceptionBy: "木村 由美",
      undecided: 3,
      fields: 17,
    }),
    ocrItem({
      id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a05",
      sourceName: "scan-0000.pdf",
      documentLabel: "20261124-100000-scan-0000",
      status: "handed_off",
      handedOffKind: "acquisition",
      handedOffRecordId: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b7001",
    }),
  ],
  templates: ocrTemplates,
  mine: 2,
  exceptions: 1,
};

export const ocrMetrics: OcrMetricsView = {
  documents: 20,
  fields: 360,
  fieldsAuto: 261,
  straightThroughRate: 0.725,
  documentsStraight: 3,
  qaChecked: 40,
  qaWrong: 0,
  qaPending: 6,
  silentErrorRate: 0,
  silentErrorUpper: 0.0881,
  perField: [
    { field: "member.name", label: "氏名", checked: 20, right: 19, rate: 0.95 },
    { field: "member.nameKana", label: "フリガナ", checked: 20, right: 14, rate: 0.7 },
    { field: "member.birthDate", label: "生年月日", checked: 20, right: 20, rate: 1 },
  ],
  operators: [
    { name: "佐藤 花子", fields: 120, documents: 15, fieldsPerHour: 412.3, secondsPerDocument: 69.8 },
    { name: "木村 由美", fields: 80, documents: 12, fieldsPerHour: 298.6, secondsPerDocument: 96.4 },
  ],
};
