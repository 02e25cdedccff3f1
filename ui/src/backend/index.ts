/**
 * The front end's only door to Rust. Everything else in ui/src imports from
 * here (never from @tauri-apps/* or ./bindings; ESLint enforces it).
 *
 * `api` mirrors the generated `commands` but unwraps tauri-specta's
 * `{ status, data | error }` result, so components get the value or a thrown
 * `BackendError` and never look at `status`.
 *
 * The DTO types are taken from the generated commands' signatures rather
 * than by their generated names, so this file does not care whether
 * tauri-specta calls a type `Finding` or `FindingDto`, `AppInfo` or
 * `AppInfo_Serialize`: what the command returns is what the UI gets.
 */
import { commands, events } from "./bindings";
import { toBackendError } from "./errors";
import { guardAll } from "./guard";

export { BackendError, IPC_FAILED, toBackendError } from "./errors";
export { lockGate, setPasswordPrompt } from "./guard";

type Commands = typeof commands;
type Returned<K extends keyof Commands> = Awaited<ReturnType<Commands[K]>>;
/** The `data` of a command that returns a result object. */
type Ok<K extends keyof Commands> = Extract<Returned<K>, { status: "ok" }> extends { data: infer T } ? T : never;
/** The `error` of a command that returns a result object. */
type Err<K extends keyof Commands> = Extract<Returned<K>, { status: "error" }> extends { error: infer E } ? E : never;

export type AppError = Err<"getSettings">;
export type AppInfo = Returned<"appInfo">;
export type SettingsView = Ok<"getSettings">;
export type SettingsDraft = Parameters<Commands["saveSettings"]>[0];
export type Finding = Returned<"checkSettings">[number];
export type Severity = Finding["severity"];
export type WarekiInput = Parameters<Commands["warekiToDate"]>[0];
export type Era = WarekiInput["era"];
export type DateView = Ok<"warekiToDate">;
export type IntegrityReport = Ok<"integrityCheck">;
export type KeyLostView = NonNullable<Returned<"localDbKeyLost">>;
export type StartedFresh = Ok<"localDbStartFresh">;
export type AuditLogView = Ok<"auditExport">;
export type SessionView = Ok<"signIn">;
export type Role = SessionView["roles"][number];
export type SyncStatusView = Ok<"syncStatus">;
export type LockStatus = Ok<"lockStatus">;
export type ConflictView = Ok<"listConflicts">[number];
export type ConflictSide = ConflictView["mine"];
export type Resolution = Parameters<Commands["resolveConflict"]>[1];
export type NoteView = Ok<"listNotes">[number];
export type NoteDraft = Parameters<Commands["saveNote"]>[0];
export type InboxItem = Ok<"approvalInbox">[number];
export type ApprovalDetail = Ok<"approvalDetail">;
export type ActRequest = Parameters<Commands["approvalAct"]>[0];
export type ActKind = ActRequest["kind"];
export type BulkResult = Ok<"approvalBulkApprove">;
export type OutcomeView = Ok<"approvalOutcomes">[number];
export type AbsencesView = Ok<"approvalAbsences">;
export type AbsenceInput = Parameters<Commands["approvalAddAbsence"]>[0];
export type ProposalView = Ok<"listProposals">[number];
export type ProposalDraft = Parameters<Commands["saveProposal"]>[0];
export type ProposalFlags = Parameters<Commands["submitProposal"]>[1];
export type RoutePreview = Returned<"proposalRoutePreview">;
export type AcquisitionListItem = Ok<"listAcquisitions">[number];
export type AcquisitionView = Ok<"getAcquisition">;
export type AcquisitionInput = Parameters<Commands["saveAcquisition"]>[0];
export type AcquisitionForm = AcquisitionInput["form"];
export type AcquisitionAssessment = Ok<"checkAcquisition">;
export type AcquisitionFinding = AcquisitionAssessment["findings"][number];
export type AcquisitionOptions = Returned<"acquisitionOptions">;
export type AcquisitionReviewView = Ok<"acquisitionReview">;
export type AutoReviewView = Ok<"acquisitionAutoReview">;
export type AutoFinding = AutoReviewView["findings"][number];
export type ImportPreview = Ok<"importOpen">;
export type ImportRowView = ImportPreview["rows"][number];
export type ImportFinding = ImportRowView["findings"][number];
export type ColumnMapping = Parameters<Commands["importRemap"]>[1][number];
export type ImportEncoding = NonNullable<Parameters<Commands["importOpen"]>[2]>;
export type ImportResult = Ok<"importRun">;
export type ImportProgress = Parameters<Parameters<typeof events.importProgressed.listen>[0]>[0]["payload"];
export type ProcurementCaseSummary = Ok<"procurementCases">[number];
export type ProcurementDeadline = NonNullable<ProcurementCaseSummary["deadline"]>;
export type ProcurementCaseView = Ok<"procurementCase">;
export type ProcurementStepView = ProcurementCaseView["steps"][number];
/** The step input with every field present (as Rust sends it back); what the editor holds. */
export type ProcurementStepInput = Ok<"procurementNextStep">;
export type ProcurementStepForm = ProcurementStepInput["form"];
export type ProcurementVendorView = Ok<"procurementVendors">[number];
export type ProcurementVendorForm = ProcurementVendorView["form"];
export type ProcurementAccountForm = Ok<"procurementYuchoAccount">;
export type ProcurementBankChoice = Returned<"procurementSearchBanks">[number];
export type ProcurementBudgetView = Ok<"procurementBudgets">[number];
export type ProcurementBudgetForm = Parameters<Commands["procurementSaveBudget"]>[0];
export type ProcurementPayerForm = Ok<"procurementPayer">;
export type ProcurementPayableOrder = Ok<"procurementPayable">[number];
export type ProcurementTransferResult = Ok<"procurementExportTransfer">;
export type ProcurementTransferPreview = Ok<"procurementPreviewTransfer">;
/** A JP PINT invoice read for the 支出命令's form (invoice, 振込先 if named, 支払期日 if given). */
export type ProcurementPintImport = Ok<"procurementImportInvoice">;

// AI-OCR correction queue (the meaning of each field: crates/app/src/ocr.rs).
export type OcrQueueView = Ok<"ocrQueue">;
export type OcrQueueItem = OcrQueueView["items"][number];
export type OcrTemplate = OcrQueueView["templates"][number];
export type OcrImportSummary = Ok<"ocrImport">;
/** The correction screen's document: its state, page images, crops, lease, next document. */
export type OcrDocumentView = Ok<"ocrOpen">;
/** A document's state without its images (what every action on it answers). */
export type OcrDocumentState = Ok<"ocrEnter">;
export type OcrField = OcrDocumentState["fields"][number];
export type OcrFinding = OcrField["findings"][number];
export type OcrBox = OcrField["bbox"];
export type OcrHandOff = NonNullable<OcrDocumentState["handedOff"]>;
export type OcrPageImage = OcrDocumentView["pages"][number];
export type OcrCrop = OcrDocumentView["crops"][number];
export type OcrEnterInput = Parameters<Commands["ocrEnter"]>[0];
export type OcrMetricsView = Ok<"ocrMetrics">;
export type OcrFieldAccuracy = OcrMetricsView["perField"][number];
export type OcrOperator = OcrMetricsView["operators"][number];
/** A verified 請求書 of the queue that a 支出命令 may take. */
export type OcrInvoiceChoice = Ok<"ocrVerifiedInvoices">[number];
/** A verified 請求書 read for the 支出命令's form, like a JP PINT import, with its provenance. */
export type OcrInvoiceImport = Ok<"ocrTakeInvoice">;
/** Where each value of a form made from a read paper form came from. */
export type OcrProvenanceView = OcrInvoiceImport["provenance"];

// App updates from the central service (crates/app/src/update.rs).
/** A newer release on this PC's channel: its version and release notes. */
export type UpdateOffer = NonNullable<Ok<"updateCheck">>;
/** A downloaded release whose signature verified: the file and what to do with it (Japanese). */
export type DownloadedUpdate = Ok<"updateDownload">;
/** The machine policy's `updateChannel` (`stable` / `beta`). */
export type UpdateChannel = NonNullable<SettingsView["updateChannel"]>;
/** The machine policy's `updates` (`auto` / `off`). */
export type UpdatesMode = NonNullable<SettingsView["updates"]>;
/** Working time counted on a case by an editor (crates/app/src/worktime.rs). */
export type WorkTimeRequest = Parameters<Commands["workTimeRecord"]>[0];

// 見える化 from the central service (crates/app/src/dashboard.rs).
/** The filters of the dashboard (dates YYYY-MM-DD, inclusive). */
export type DashboardQuery = Parameters<Commands["dashboardLoad"]>[0];
/** The figures of the dashboard, as the central service computed them. */
export type DashboardView = Ok<"dashboardLoad">;
/** Where an export of the 業務フロー table went. */
export type DashboardExport = Ok<"dashboardExportCsv">;

/** What `sync-status-changed` carries (tauri-specta sends the newtype's inner value). */
type SyncStatusPayload = Parameters<Parameters<typeof events.syncStatusChanged.listen>[0]>[0]["payload"];
// The event and `syncStatus()` must describe the same thing; this line stops compiling if
// the generated types ever drift apart.
const samePayload: (p: SyncStatusPayload) => SyncStatusView = (p) => p;

type Settled<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

async function unwrap<T>(call: () => Promise<Settled<T>>): Promise<T> {
  let result: Settled<T>;
  try {
    result = await call();
  } catch (cause) {
    throw toBackendError(cause);
  }
  if (result.status === "error") throw toBackendError(result.error);
  return result.data;
}

async function plain<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw toBackendError(cause);
  }
}

const rawApi = {
  appInfo: (): Promise<AppInfo> => plain(() => commands.appInfo()),
  getSettings: (): Promise<SettingsView> => unwrap(() => commands.getSettings()),
  checkSettings: (draft: SettingsDraft): Promise<Finding[]> => plain(() => commands.checkSettings(draft)),
  saveSettings: (draft: SettingsDraft): Promise<SettingsView> => unwrap(() => commands.saveSettings(draft)),
  warekiToDate: (input: WarekiInput): Promise<DateView> => unwrap(() => commands.warekiToDate(input)),
  dateToWareki: (iso: string): Promise<DateView> => unwrap(() => commands.dateToWareki(iso)),
  parseWareki: (text: string): Promise<DateView> => unwrap(() => commands.parseWareki(text)),
  integrityCheck: (): Promise<IntegrityReport> => unwrap(() => commands.integrityCheck()),
  auditExport: (): Promise<AuditLogView> => unwrap(() => commands.auditExport()),
  auditStatus: (): Promise<AuditLogView> => unwrap(() => commands.auditStatus()),
  frontendReady: (): Promise<void> => plain(() => commands.frontendReady()),
  localDbKeyLost: (): Promise<KeyLostView | null> => plain(() => commands.localDbKeyLost()),
  localDbStartFresh: (): Promise<StartedFresh> => unwrap(() => commands.localDbStartFresh()),
  quitApp: (): Promise<void> => plain(() => commands.quitApp()),

  // Central service: session, sync, conflicts.
  signIn: (userId: string, password: string): Promise<SessionView> => unwrap(() => commands.signIn(userId, password)),
  signOut: (): Promise<void> => unwrap(() => commands.signOut()).then(() => undefined),
  session: (): Promise<SessionView | null> => unwrap(() => commands.session()),
  syncStatus: (): Promise<SyncStatusView> => unwrap(() => commands.syncStatus()),
  syncNow: (): Promise<void> => unwrap(() => commands.syncNow()).then(() => undefined),
  listConflicts: (): Promise<ConflictView[]> => unwrap(() => commands.listConflicts()),
  resolveConflict: (recordId: string, resolution: Resolution): Promise<void> =>
    unwrap(() => commands.resolveConflict(recordId, resolution)).then(() => undefined),

  // The lock (idle time, password) and the password typed again before 決裁 / 振込データ.
  lockStatus: (): Promise<LockStatus> => unwrap(() => commands.lockStatus()),
  lockNow: (): Promise<LockStatus> => unwrap(() => commands.lockNow()),
  unlock: (password: string): Promise<LockStatus> => unwrap(() => commands.unlock(password)),
  reauthenticate: (password: string): Promise<void> => unwrap(() => commands.reauthenticate(password)).then(() => undefined),

  // 連絡メモ
  listNotes: (): Promise<NoteView[]> => unwrap(() => commands.listNotes()),
  checkNote: (draft: NoteDraft): Promise<Finding[]> => plain(() => commands.checkNote(draft)),
  saveNote: (draft: NoteDraft): Promise<NoteView> => unwrap(() => commands.saveNote(draft)),

  // 電子決裁: the approver's inbox
  approvalInbox: (): Promise<InboxItem[]> => unwrap(() => commands.approvalInbox()),
  approvalDetail: (id: string): Promise<ApprovalDetail> => unwrap(() => commands.approvalDetail(id)),
  approvalAct: (request: ActRequest): Promise<ApprovalDetail> => unwrap(() => commands.approvalAct(request)),
  approvalBulkApprove: (ids: string[]): Promise<BulkResult> => unwrap(() => commands.approvalBulkApprove(ids)),
  approvalOutcomes: (): Promise<OutcomeView[]> => unwrap(() => commands.approvalOutcomes()),
  approvalTrailCsv: (ids: string[]): Promise<string> => unwrap(() => commands.approvalTrailCsv(ids)),
  approvalPdf: (id: string): Promise<string> => unwrap(() => commands.approvalPdf(id)),
  approvalAbsences: (): Promise<AbsencesView> => unwrap(() => commands.approvalAbsences()),
  approvalAddAbsence: (input: AbsenceInput): Promise<AbsencesView> => unwrap(() => commands.approvalAddAbsence(input)),
  approvalCancelAbsence: (id: string): Promise<AbsencesView> => unwrap(() => commands.approvalCancelAbsence(id)),

  // 起案文書
  listProposals: (): Promise<ProposalView[]> => unwrap(() => commands.listProposals()),
  checkProposal: (draft: ProposalDraft): Promise<Finding[]> => plain(() => commands.checkProposal(draft)),
  proposalRoutePreview: (amount: string, flags: ProposalFlags): Promise<RoutePreview> =>
    plain(() => commands.proposalRoutePreview(amount, flags)),
  saveProposal: (draft: ProposalDraft): Promise<ProposalView> => unwrap(() => commands.saveProposal(draft)),
  submitProposal: (id: string, flags: ProposalFlags): Promise<ProposalView> => unwrap(() => commands.submitProposal(id, flags)),
  withdrawProposal: (id: string): Promise<ProposalView> => unwrap(() => commands.withdrawProposal(id)),

  // 組合員資格取得届
  listAcquisitions: (): Promise<AcquisitionListItem[]> => unwrap(() => commands.listAcquisitions()),
  getAcquisition: (id: string): Promise<AcquisitionView> => unwrap(() => commands.getAcquisition(id)),
  acquisitionOptions: (): Promise<AcquisitionOptions> => plain(() => commands.acquisitionOptions()),
  checkAcquisition: (input: AcquisitionInput, submission: boolean): Promise<AcquisitionAssessment> =>
    unwrap(() => commands.checkAcquisition(input, submission)),
  acknowledgeAcquisitionWarning: (input: AcquisitionInput, code: string, field: string): Promise<AcquisitionForm> =>
    unwrap(() => commands.acknowledgeAcquisitionWarning(input, code, field)),
  saveAcquisition: (input: AcquisitionInput): Promise<AcquisitionView> => unwrap(() => commands.saveAcquisition(input)),
  submitAcquisition: (id: string): Promise<AcquisitionView> => unwrap(() => commands.submitAcquisition(id)),
  withdrawAcquisition: (id: string): Promise<AcquisitionView> => unwrap(() => commands.withdrawAcquisition(id)),
  /** The stored 個人番号 in full: permitted roles only, with a purpose; audited. */
  revealAcquisitionMyNumber: (id: string, purpose: string, note: string): Promise<string | null> =>
    unwrap(() => commands.revealAcquisitionMyNumber(id, purpose, note)),

  // 資格取得届: review (証明 / 審査 / 登録 / 差戻し) and printing
  acquisitionReview: (id: string): Promise<AcquisitionReviewView> => unwrap(() => commands.acquisitionReview(id)),
  acquisitionAutoReview: (id: string): Promise<AutoReviewView> => unwrap(() => commands.acquisitionAutoReview(id)),
  acquisitionAct: (request: ActRequest): Promise<AcquisitionReviewView> => unwrap(() => commands.acquisitionAct(request)),
  acquisitionPdf: (id: string): Promise<string> => unwrap(() => commands.acquisitionPdf(id)),
  acquisitionNoticePdf: (id: string): Promise<string> => unwrap(() => commands.acquisitionNoticePdf(id)),
  acquisitionPrintBatchBegin: (): Promise<string> => unwrap(() => commands.acquisitionPrintBatchBegin()),
  acquisitionPrintBatchAdd: (batch: string, id: string): Promise<string> => unwrap(() => commands.acquisitionPrintBatchAdd(batch, id)),
  acquisitionPrintBatchFinish: (batch: string): Promise<string> => unwrap(() => commands.acquisitionPrintBatchFinish(batch)),
  acquisitionPrintBatchCancel: (batch: string): Promise<void> => unwrap(() => commands.acquisitionPrintBatchCancel(batch)).then(() => undefined),

  // 資格取得届の一括取込 (CSV). `data` is the file's bytes in base64.
  importOpen: (fileName: string, data: string, encoding: ImportEncoding | null): Promise<ImportPreview> =>
    unwrap(() => commands.importOpen(fileName, data, encoding)),
  importRemap: (session: string, mapping: ColumnMapping[]): Promise<ImportPreview> => unwrap(() => commands.importRemap(session, mapping)),
  importRun: (session: string): Promise<ImportResult> => unwrap(() => commands.importRun(session)),
  importCancel: (session: string): Promise<void> => unwrap(() => commands.importCancel(session)).then(() => undefined),
  importSaveReport: (session: string): Promise<string> => unwrap(() => commands.importSaveReport(session)),
  importClose: (session: string): Promise<void> => plain(() => commands.importClose(session)).then(() => undefined),

  // 調達・契約・支払
  procurementCases: (): Promise<ProcurementCaseSummary[]> => unwrap(() => commands.procurementCases()),
  procurementCase: (id: string): Promise<ProcurementCaseView> => unwrap(() => commands.procurementCase(id)),
  procurementCheck: (input: ProcurementStepInput): Promise<Finding[]> => unwrap(() => commands.procurementCheck(input)),
  procurementSave: (input: ProcurementStepInput): Promise<ProcurementCaseView> => unwrap(() => commands.procurementSave(input)),
  procurementNextStep: (parent: string): Promise<ProcurementStepInput> => unwrap(() => commands.procurementNextStep(parent)),
  procurementSubmit: (id: string, flags: ProposalFlags): Promise<ProcurementCaseView> =>
    unwrap(() => commands.procurementSubmit(id, flags)),
  procurementWithdraw: (id: string): Promise<ProcurementCaseView> => unwrap(() => commands.procurementWithdraw(id)),
  procurementVendors: (): Promise<ProcurementVendorView[]> => unwrap(() => commands.procurementVendors()),
  procurementCheckVendor: (form: ProcurementVendorForm): Promise<Finding[]> => plain(() => commands.procurementCheckVendor(form)),
  procurementSaveVendor: (form: ProcurementVendorForm): Promise<ProcurementVendorView> => unwrap(() => commands.procurementSaveVendor(form)),
  procurementYuchoAccount: (kigo: string, bango: string): Promise<ProcurementAccountForm> =>
    unwrap(() => commands.procurementYuchoAccount(kigo, bango)),
  procurementSearchBanks: (query: string): Promise<ProcurementBankChoice[]> => plain(() => commands.procurementSearchBanks(query)),
  procurementSearchBranches: (bank: string, query: string): Promise<ProcurementBankChoice[]> =>
    plain(() => commands.procurementSearchBranches(bank, query)),
  procurementBudgets: (): Promise<ProcurementBudgetView[]> => unwrap(() => commands.procurementBudgets()),
  procurementSaveBudget: (form: ProcurementBudgetForm): Promise<ProcurementBudgetView> => unwrap(() => commands.procurementSaveBudget(form)),
  procurementPayer: (): Promise<ProcurementPayerForm> => unwrap(() => commands.procurementPayer()),
  procurementSavePayer: (form: ProcurementPayerForm): Promise<ProcurementPayerForm> => unwrap(() => commands.procurementSavePayer(form)),
  procurementPayable: (): Promise<ProcurementPayableOrder[]> => unwrap(() => commands.procurementPayable()),
  /** What the 総合振込 file of `ids` would hold (payee as the bank sees it, totals) or why it cannot be built; writes nothing. */
  procurementPreviewTransfer: (ids: string[], transferDate: string): Promise<ProcurementTransferPreview> =>
    unwrap(() => commands.procurementPreviewTransfer(ids, transferDate)),
  procurementExportTransfer: (ids: string[], transferDate: string): Promise<ProcurementTransferResult> =>
    unwrap(() => commands.procurementExportTransfer(ids, transferDate)),
  /** 変更起案: the form of a new step (id null, `amends` set) changing the decided step `id`; nothing is stored. */
  procurementAmend: (id: string): Promise<ProcurementStepInput> => unwrap(() => commands.procurementAmend(id)),
  /** Reads a JP PINT (UBL) invoice; `data` is the XML file's bytes in base64. Nothing is stored. */
  procurementImportInvoice: (data: string): Promise<ProcurementPintImport> => unwrap(() => commands.procurementImportInvoice(data)),

  // AI-OCR correction queue. A document is worked on only under the central service's edit
  // lease: `ocrOpen` takes it (`ocr.lease_held` when someone else has it), `ocrRenew` extends
  // it while the document stays open, `ocrClose` gives it back.
  ocrQueue: (): Promise<OcrQueueView> => unwrap(() => commands.ocrQueue()),
  /** Reads a scan (`data`: the file's bytes in base64) with the local engine (~0.5 s a page) and queues its documents. */
  ocrImport: (fileName: string, data: string, templateId: string): Promise<OcrImportSummary> =>
    unwrap(() => commands.ocrImport(fileName, data, templateId)),
  ocrImportVendor: (
    fileName: string,
    data: string,
    vendorFileName: string,
    vendorData: string,
    templateId: string,
  ): Promise<OcrImportSummary> =>
    unwrap(() => commands.ocrImportVendor(fileName, data, vendorFileName, vendorData, templateId)),
  ocrOpen: (id: string): Promise<OcrDocumentView> => unwrap(() => commands.ocrOpen(id)),
  /** Extends the edit lease; returns its new end (RFC 3339). */
  ocrRenew: (id: string): Promise<string> => unwrap(() => commands.ocrRenew(id)),
  ocrClose: (id: string): Promise<void> => unwrap(() => commands.ocrClose(id)).then(() => undefined),
  /** Saves my value for a field; the answer carries the findings on it (`lastFindings`) and the hand-off, if it completed the document. */
  ocrEnter: (input: OcrEnterInput): Promise<OcrDocumentState> => unwrap(() => commands.ocrEnter(input)),
  ocrUndo: (id: string): Promise<OcrDocumentState> => unwrap(() => commands.ocrUndo(id)),
  ocrToExceptions: (id: string, reason: string): Promise<OcrDocumentState> => unwrap(() => commands.ocrToExceptions(id, reason)),
  ocrReopen: (id: string): Promise<OcrDocumentState> => unwrap(() => commands.ocrReopen(id)),
  ocrMetrics: (): Promise<OcrMetricsView> => unwrap(() => commands.ocrMetrics()),
  /** The verified 請求書 waiting for a 支出命令, oldest first. */
  ocrVerifiedInvoices: (): Promise<OcrInvoiceChoice[]> => unwrap(() => commands.ocrVerifiedInvoices()),
  /** A verified 請求書 read for the 支出命令's form; nothing is stored (saving the order with `ocrDocumentId` hands the document off). */
  ocrTakeInvoice: (id: string): Promise<OcrInvoiceImport> => unwrap(() => commands.ocrTakeInvoice(id)),

  // App updates. `update.disabled` when IT's policy turns them off (`updates: off`).
  /** The newer release on this PC's channel, `null` when this version is current. */
  updateCheck: (): Promise<UpdateOffer | null> => unwrap(() => commands.updateCheck()),
  /**
   * Downloads the newer release and verifies its signature (a refused file is deleted:
   * `update.signature_invalid` / `update.signature_missing`).
   */
  updateDownload: (): Promise<DownloadedUpdate> => unwrap(() => commands.updateDownload()),
  /** Queues working time on a case (見える化); `false` when too short or not a case here. */
  workTimeRecord: (request: WorkTimeRequest): Promise<boolean> => unwrap(() => commands.workTimeRecord(request)),

  // 見える化 (online only: `analytics.offline`; `analytics.forbidden` for other roles).
  dashboardLoad: (query: DashboardQuery): Promise<DashboardView> => unwrap(() => commands.dashboardLoad(query)),
  /** Writes the 業務フロー table as CSV into the download folder. */
  dashboardExportCsv: (query: DashboardQuery): Promise<DashboardExport> => unwrap(() => commands.dashboardExportCsv(query)),
  /** Writes the 業務フロー table as PDF into the download folder. */
  dashboardExportPdf: (query: DashboardQuery): Promise<DashboardExport> => unwrap(() => commands.dashboardExportPdf(query)),

  /** Calls `callback` with the progress of a running import; returns a function that stops listening. */
  onImportProgress: (callback: (progress: ImportProgress) => void): (() => void) => {
    let stopped = false;
    let unlisten: (() => void) | null = null;
    const registered = (async () => events.importProgressed.listen((event) => {
      if (!stopped) callback(event.payload);
    }))();
    registered.then(
      (fn) => {
        if (stopped) fn();
        else unlisten = fn;
      },
      () => {
        // No event channel (no Tauri): the bar moves only when the import returns.
      },
    );
    return () => {
      stopped = true;
      unlisten?.();
      unlisten = null;
    };
  },

  /**
   * Calls `callback` with every new sync status (online/offline, counts, last sync, who is
   * signed in). Returns a function that stops listening; it may be called at once, before
   * Tauri has finished registering the listener. Outside Tauri (a plain browser) nothing
   * is ever delivered.
   */
  onSyncStatus: (callback: (status: SyncStatusView) => void): (() => void) => {
    let stopped = false;
    let unlisten: (() => void) | null = null;
    const registered = (async () => events.syncStatusChanged.listen((event) => {
      if (!stopped) callback(samePayload(event.payload));
    }))();
    registered.then(
      (fn) => {
        if (stopped) fn();
        else unlisten = fn;
      },
      () => {
        // No event channel (no Tauri): the status stays as last read.
      },
    );
    return () => {
      stopped = true;
      unlisten?.();
      unlisten = null;
    };
  },
};

/**
 * Every call waits while the app is locked and asks for the password when Rust wants it
 * again (see ./guard).
 */
export const api = guardAll(rawApi);

export type Api = typeof api;
