/**
 * A stand-in for `src/backend` in vitest. Use in a test file as
 *
 *   vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);
 *
 * It keeps the real BackendError (from backend/errors, which has no Tauri
 * import) and replaces `api` with vi.fn()s. @tauri-apps is never touched.
 * `emitSyncStatus` plays the part of Rust's `sync-status-changed` event.
 */
import { act } from "@testing-library/react";
import { vi } from "vitest";
import type { Api, SyncStatusView } from "../backend";
import { BackendError, IPC_FAILED, toBackendError } from "../backend/errors";
import { lockGate, setPasswordPrompt } from "../backend/guard";
import { acquisitionOptions, appInfo, emptySettings, notConfiguredStatus, ocrEmptyQueue, reiwa6April1, unlockedStatus } from "./fixtures";

type SyncListener = (status: SyncStatusView) => void;
const syncListeners = new Set<SyncListener>();

export const mockApi = {
  appInfo: vi.fn<Api["appInfo"]>(),
  getSettings: vi.fn<Api["getSettings"]>(),
  checkSettings: vi.fn<Api["checkSettings"]>(),
  saveSettings: vi.fn<Api["saveSettings"]>(),
  warekiToDate: vi.fn<Api["warekiToDate"]>(),
  dateToWareki: vi.fn<Api["dateToWareki"]>(),
  parseWareki: vi.fn<Api["parseWareki"]>(),
  integrityCheck: vi.fn<Api["integrityCheck"]>(),
  auditExport: vi.fn<Api["auditExport"]>(),
  auditStatus: vi.fn<Api["auditStatus"]>(),
  frontendReady: vi.fn<Api["frontendReady"]>(),
  localDbKeyLost: vi.fn<Api["localDbKeyLost"]>(),
  localDbStartFresh: vi.fn<Api["localDbStartFresh"]>(),
  quitApp: vi.fn<Api["quitApp"]>(),
  signIn: vi.fn<Api["signIn"]>(),
  signOut: vi.fn<Api["signOut"]>(),
  session: vi.fn<Api["session"]>(),
  syncStatus: vi.fn<Api["syncStatus"]>(),
  syncNow: vi.fn<Api["syncNow"]>(),
  listConflicts: vi.fn<Api["listConflicts"]>(),
  resolveConflict: vi.fn<Api["resolveConflict"]>(),
  lockStatus: vi.fn<Api["lockStatus"]>(),
  lockNow: vi.fn<Api["lockNow"]>(),
  unlock: vi.fn<Api["unlock"]>(),
  reauthenticate: vi.fn<Api["reauthenticate"]>(),
  listNotes: vi.fn<Api["listNotes"]>(),
  checkNote: vi.fn<Api["checkNote"]>(),
  saveNote: vi.fn<Api["saveNote"]>(),
  approvalInbox: vi.fn<Api["approvalInbox"]>(),
  approvalDetail: vi.fn<Api["approvalDetail"]>(),
  approvalAct: vi.fn<Api["approvalAct"]>(),
  approvalBulkApprove: vi.fn<Api["approvalBulkApprove"]>(),
  approvalOutcomes: vi.fn<Api["approvalOutcomes"]>(),
  approvalTrailCsv: vi.fn<Api["approvalTrailCsv"]>(),
  approvalPdf: vi.fn<Api["approvalPdf"]>(),
  approvalAbsences: vi.fn<Api["approvalAbsences"]>(),
  approvalAddAbsence: vi.fn<Api["approvalAddAbsence"]>(),
  approvalCancelAbsence: vi.fn<Api["approvalCancelAbsence"]>(),
  listProposals: vi.fn<Api["listProposals"]>(),
  checkProposal: vi.fn<Api["checkProposal"]>(),
  proposalRoutePreview: vi.fn<Api["proposalRoutePreview"]>(),
  saveProposal: vi.fn<Api["saveProposal"]>(),
  submitProposal: vi.fn<Api["submitProposal"]>(),
  withdrawProposal: vi.fn<Api["withdrawProposal"]>(),
  listAcquisitions: vi.fn<Api["listAcquisitions"]>(),
  getAcquisition: vi.fn<Api["getAcquisition"]>(),
  acquisitionOptions: vi.fn<Api["acquisitionOptions"]>(),
  checkAcquisition: vi.fn<Api["checkAcquisition"]>(),
  acknowledgeAcquisitionWarning: vi.fn<Api["acknowledgeAcquisitionWarning"]>(),
  saveAcquisition: vi.fn<Api["saveAcquisition"]>(),
  submitAcquisition: vi.fn<Api["submitAcquisition"]>(),
  withdrawAcquisition: vi.fn<Api["withdrawAcquisition"]>(),
  revealAcquisitionMyNumber: vi.fn<Api["revealAcquisitionMyNumber"]>(),
  acquisitionReview: vi.fn<Api["acquisitionReview"]>(),
  acquisitionAutoReview: vi.fn<Api["acquisitionAutoReview"]>(),
  acquisitionAct: vi.fn<Api["acquisitionAct"]>(),
  acquisitionPdf: vi.fn<Api["acquisitionPdf"]>(),
  acquisitionNoticePdf: vi.fn<Api["acquisitionNoticePdf"]>(),
  acquisitionPrintBatchBegin: vi.fn<Api["acquisitionPrintBatchBegin"]>(),
  acquisitionPrintBatchAdd: vi.fn<Api["acquisitionPrintBatchAdd"]>(),
  acquisitionPrintBatchFinish: vi.fn<Api["acquisitionPrintBatchFinish"]>(),
  acquisitionPrintBatchCancel: vi.fn<Api["acquisitionPrintBatchCancel"]>(),
  importOpen: vi.fn<Api["importOpen"]>(),
  importRemap: vi.fn<Api["importRemap"]>(),
  importRun: vi.fn<Api["importRun"]>(),
  importCancel: vi.fn<Api["importCancel"]>(),
  importSaveReport: vi.fn<Api["importSaveReport"]>(),
  importClose: vi.fn<Api["importClose"]>(),
  procurementCases: vi.fn<Api["procurementCases"]>(),
  procurementCase: vi.fn<Api["procurementCase"]>(),
  procurementCheck: vi.fn<Api["procurementCheck"]>(),
  procurementSave: vi.fn<Api["procurementSave"]>(),
  procurementNextStep: vi.fn<Api["procurementNextStep"]>(),
  procurementSubmit: vi.fn<Api["procurementSubmit"]>(),
  procurementWithdraw: vi.fn<Api["procurementWithdraw"]>(),
  procurementVendors: vi.fn<Api["procurementVendors"]>(),
  procurementCheckVendor: vi.fn<Api["procurementCheckVendor"]>(),
  procurementSaveVendor: vi.fn<Api["procurementSaveVendor"]>(),
  procurementYuchoAccount: vi.fn<Api["procurementYuchoAccount"]>(),
  procurementSearchBanks: vi.fn<Api["procurementSearchBanks"]>(),
  procurementSearchBranches: vi.fn<Api["procurementSearchBranches"]>(),
  procurementBudgets: vi.fn<Api["procurementBudgets"]>(),
  procurementSaveBudget: vi.fn<Api["procurementSaveBudget"]>(),
  procurementPayer: vi.fn<Api["procurementPayer"]>(),
  procurementSavePayer: vi.fn<Api["procurementSavePayer"]>(),
  procurementPayable: vi.fn<Api["procurementPayable"]>(),
  procurementPreviewTransfer: vi.fn<Api["procurementPreviewTransfer"]>(),
  procurementExportTransfer: vi.fn<Api["procurementExportTransfer"]>(),
  procurementAmend: vi.fn<Api["procurementAmend"]>(),
  procurementImportInvoice: vi.fn<Api["procurementImportInvoice"]>(),
  ocrQueue: vi.fn<Api["ocrQueue"]>(),
  ocrImport: vi.fn<Api["ocrImport"]>(),
  ocrImportVendor: vi.fn<Api["ocrImportVendor"]>(),
  ocrOpen: vi.fn<Api["ocrOpen"]>(),
  ocrRenew: vi.fn<Api["ocrRenew"]>(),
  ocrClose: vi.fn<Api["ocrClose"]>(),
  ocrEnter: vi.fn<Api["ocrEnter"]>(),
  ocrUndo: vi.fn<Api["ocrUndo"]>(),
  ocrToExceptions: vi.fn<Api["ocrToExceptions"]>(),
  ocrReopen: vi.fn<Api["ocrReopen"]>(),
  ocrMetrics: vi.fn<Api["ocrMetrics"]>(),
  ocrVerifiedInvoices: vi.fn<Api["ocrVerifiedInvoices"]>(),
  ocrTakeInvoice: vi.fn<Api["ocrTakeInvoice"]>(),
  updateCheck: vi.fn<Api["updateCheck"]>(),
  updateDownload: vi.fn<Api["updateDownload"]>(),
  workTimeRecord: vi.fn<Api["workTimeRecord"]>(),
  dashboardLoad: vi.fn<Api["dashboardLoad"]>(),
  dashboardExportCsv: vi.fn<Api["dashboardExportCsv"]>(),
  dashboardExportPdf: vi.fn<Api["dashboardExportPdf"]>(),
  onImportProgress: vi.fn<Api["onImportProgress"]>(),
  onSyncStatus: vi.fn<Api["onSyncStatus"]>(),
} satisfies Api;

/** Sends a status to everyone listening, as Rust's event would. */
export async function emitSyncStatus(status: SyncStatusView): Promise<void> {
  await act(async () => {
    for (const listener of [...syncListeners]) listener(status);
  });
}

/** How many components listen to the sync status right now. */
export function syncListenerCount(): number {
  return syncListeners.size;
}

function notSetUp(name: string) {
  return new BackendError("test.unexpected", `${name} not set up`);
}

/** Resets every mock to a quiet default: an app with nothing configured yet. */
export function resetMockApi(): void {
  for (const fn of Object.values(mockApi)) fn.mockReset();
  syncListeners.clear();
  mockApi.appInfo.mockResolvedValue(appInfo);
  mockApi.getSettings.mockResolvedValue(emptySettings);
  mockApi.checkSettings.mockResolvedValue([]);
  mockApi.saveSettings.mockImplementation(async (draft) => ({
    ...draft,
    updatedAt: "2024-04-01T09:30:00+09:00",
    managed: [],
    policyPath: null,
  }));
  mockApi.warekiToDate.mockRejectedValue(notSetUp("warekiToDate"));
  mockApi.dateToWareki.mockResolvedValue(reiwa6April1);
  mockApi.parseWareki.mockRejectedValue(notSetUp("parseWareki"));
  mockApi.integrityCheck.mockRejectedValue(notSetUp("integrityCheck"));
  mockApi.auditExport.mockRejectedValue(notSetUp("auditExport"));
  mockApi.auditStatus.mockRejectedValue(notSetUp("auditStatus"));
  mockApi.frontendReady.mockResolvedValue(undefined);
  mockApi.localDbKeyLost.mockResolvedValue(null);
  mockApi.localDbStartFresh.mockRejectedValue(notSetUp("localDbStartFresh"));
  mockApi.quitApp.mockResolvedValue(undefined);
  mockApi.signIn.mockRejectedValue(notSetUp("signIn"));
  mockApi.signOut.mockRejectedValue(notSetUp("signOut"));
  mockApi.session.mockResolvedValue(null);
  mockApi.syncStatus.mockResolvedValue(notConfiguredStatus);
  mockApi.syncNow.mockResolvedValue(undefined);
  mockApi.listConflicts.mockResolvedValue([]);
  mockApi.resolveConflict.mockResolvedValue(undefined);
  lockGate.setLocked(false);
  mockApi.lockStatus.mockResolvedValue(unlockedStatus);
  mockApi.lockNow.mockResolvedValue(unlockedStatus);
  mockApi.unlock.mockRejectedValue(notSetUp("unlock"));
  mockApi.reauthenticate.mockRejectedValue(notSetUp("reauthenticate"));
  mockApi.listNotes.mockResolvedValue([]);
  mockApi.checkNote.mockResolvedValue([]);
  mockApi.saveNote.mockRejectedValue(notSetUp("saveNote"));
  mockApi.approvalInbox.mockResolvedValue([]);
  mockApi.approvalDetail.mockRejectedValue(notSetUp("approvalDetail"));
  mockApi.approvalAct.mockRejectedValue(notSetUp("approvalAct"));
  mockApi.approvalBulkApprove.mockRejectedValue(notSetUp("approvalBulkApprove"));
  mockApi.approvalOutcomes.mockResolvedValue([]);
  mockApi.approvalTrailCsv.mockRejectedValue(notSetUp("approvalTrailCsv"));
  mockApi.approvalPdf.mockRejectedValue(notSetUp("approvalPdf"));
  mockApi.approvalAbsences.mockResolvedValue({ absences: [], users: [], fetchedAt: null });
  mockApi.approvalAddAbsence.mockRejectedValue(notSetUp("approvalAddAbsence"));
  mockApi.approvalCancelAbsence.mockRejectedValue(notSetUp("approvalCancelAbsence"));
  mockApi.listProposals.mockResolvedValue([]);
  mockApi.checkProposal.mockResolvedValue([]);
  mockApi.proposalRoutePreview.mockResolvedValue({ steps: [], approvers: 0, unconfirmed: true, error: null });
  mockApi.saveProposal.mockRejectedValue(notSetUp("saveProposal"));
  mockApi.submitProposal.mockRejectedValue(notSetUp("submitProposal"));
  mockApi.withdrawProposal.mockRejectedValue(notSetUp("withdrawProposal"));
  mockApi.listAcquisitions.mockResolvedValue([]);
  mockApi.getAcquisition.mockRejectedValue(notSetUp("getAcquisition"));
  mockApi.acquisitionOptions.mockResolvedValue(acquisitionOptions);
  mockApi.checkAcquisition.mockResolvedValue({ findings: [], notes: [], grades: null, errors: 0, unacknowledged: 0 });
  mockApi.acknowledgeAcquisitionWarning.mockRejectedValue(notSetUp("acknowledgeAcquisitionWarning"));
  mockApi.saveAcquisition.mockRejectedValue(notSetUp("saveAcquisition"));
  mockApi.submitAcquisition.mockRejectedValue(notSetUp("submitAcquisition"));
  mockApi.withdrawAcquisition.mockRejectedValue(notSetUp("withdrawAcquisition"));
  mockApi.revealAcquisitionMyNumber.mockRejectedValue(notSetUp("revealAcquisitionMyNumber"));
  mockApi.acquisitionReview.mockRejectedValue(notSetUp("acquisitionReview"));
  mockApi.acquisitionAutoReview.mockRejectedValue(notSetUp("acquisitionAutoReview"));
  mockApi.acquisitionAct.mockRejectedValue(notSetUp("acquisitionAct"));
  mockApi.acquisitionPdf.mockRejectedValue(notSetUp("acquisitionPdf"));
  mockApi.acquisitionNoticePdf.mockRejectedValue(notSetUp("acquisitionNoticePdf"));
  mockApi.acquisitionPrintBatchBegin.mockRejectedValue(notSetUp("acquisitionPrintBatchBegin"));
  mockApi.acquisitionPrintBatchAdd.mockRejectedValue(notSetUp("acquisitionPrintBatchAdd"));
  mockApi.acquisitionPrintBatchFinish.mockRejectedValue(notSetUp("acquisitionPrintBatchFinish"));
  mockApi.acquisitionPrintBatchCancel.mockRejectedValue(notSetUp("acquisitionPrintBatchCancel"));
  mockApi.importOpen.mockRejectedValue(notSetUp("importOpen"));
  mockApi.importRemap.mockRejectedValue(notSetUp("importRemap"));
  mockApi.importRun.mockRejectedValue(notSetUp("importRun"));
  mockApi.importCancel.mockResolvedValue(undefined);
  mockApi.importSaveReport.mockRejectedValue(notSetUp("importSaveReport"));
  mockApi.importClose.mockResolvedValue(undefined);
  mockApi.procurementCases.mockResolvedValue([]);
  mockApi.procurementCase.mockRejectedValue(notSetUp("procurementCase"));
  mockApi.procurementCheck.mockResolvedValue([]);
  mockApi.procurementSave.mockRejectedValue(notSetUp("procurementSave"));
  mockApi.procurementNextStep.mockRejectedValue(notSetUp("procurementNextStep"));
  mockApi.procurementSubmit.mockRejectedValue(notSetUp("procurementSubmit"));
  mockApi.procurementWithdraw.mockRejectedValue(notSetUp("procurementWithdraw"));
  mockApi.procurementVendors.mockResolvedValue([]);
  mockApi.procurementCheckVendor.mockResolvedValue([]);
  mockApi.procurementSaveVendor.mockRejectedValue(notSetUp("procurementSaveVendor"));
  mockApi.procurementYuchoAccount.mockRejectedValue(notSetUp("procurementYuchoAccount"));
  mockApi.procurementSearchBanks.mockResolvedValue([]);
  mockApi.procurementSearchBranches.mockResolvedValue([]);
  mockApi.procurementBudgets.mockResolvedValue([]);
  mockApi.procurementSaveBudget.mockRejectedValue(notSetUp("procurementSaveBudget"));
  mockApi.procurementPayer.mockResolvedValue({ id: null, code: "", nameKana: "", bankCode: "", branchCode: "", depositType: "", accountNumber: "" });
  mockApi.procurementSavePayer.mockRejectedValue(notSetUp("procurementSavePayer"));
  mockApi.procurementPayable.mockResolvedValue([]);
  mockApi.procurementPreviewTransfer.mockRejectedValue(notSetUp("procurementPreviewTransfer"));
  mockApi.procurementExportTransfer.mockRejectedValue(notSetUp("procurementExportTransfer"));
  mockApi.procurementAmend.mockRejectedValue(notSetUp("procurementAmend"));
  mockApi.procurementImportInvoice.mockRejectedValue(notSetUp("procurementImportInvoice"));
  mockApi.ocrQueue.mockResolvedValue(ocrEmptyQueue);
  mockApi.ocrImport.mockRejectedValue(notSetUp("ocrImport"));
  mockApi.ocrImportVendor.mockRejectedValue(notSetUp("ocrImportVendor"));
  mockApi.ocrOpen.mockRejectedValue(notSetUp("ocrOpen"));
  mockApi.ocrRenew.mockResolvedValue("2026-11-26T01:05:00+00:00");
  mockApi.ocrClose.mockResolvedValue(undefined);
  mockApi.ocrEnter.mockRejectedValue(notSetUp("ocrEnter"));
  mockApi.ocrUndo.mockRejectedValue(notSetUp("ocrUndo"));
  mockApi.ocrToExceptions.mockRejectedValue(notSetUp("ocrToExceptions"));
  mockApi.ocrReopen.mockRejectedValue(notSetUp("ocrReopen"));
  mockApi.ocrMetrics.mockRejectedValue(notSetUp("ocrMetrics"));
  mockApi.ocrVerifiedInvoices.mockResolvedValue([]);
  mockApi.ocrTakeInvoice.mockRejectedValue(notSetUp("ocrTakeInvoice"));
  mockApi.updateCheck.mockResolvedValue(null);
  mockApi.updateDownload.mockRejectedValue(notSetUp("updateDownload"));
  mockApi.workTimeRecord.mockResolvedValue(true);
  mockApi.dashboardLoad.mockRejectedValue(notSetUp("dashboardLoad"));
  mockApi.dashboardExportCsv.mockRejectedValue(notSetUp("dashboardExportCsv"));
  mockApi.dashboardExportPdf.mockRejectedValue(notSetUp("dashboardExportPdf"));
  mockApi.onImportProgress.mockImplementation(() => () => {});
  mockApi.onSyncStatus.mockImplementation((listener) => {
    syncListeners.add(listener);
    return () => {
      syncListeners.delete(listener);
    };
  });
}

export const backendModule = { api: mockApi, BackendError, IPC_FAILED, toBackendError, lockGate, setPasswordPrompt };
