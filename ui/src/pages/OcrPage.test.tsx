import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../backend/errors";
import { AppStateProvider } from "../shell/appState";
import { OCR_DOC, OCR_DOC_NEXT, ocrEmptyQueue, ocrMetrics, ocrQueue, ocrState, ocrView } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { OcrPage } from "./OcrPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
});

async function renderPage() {
  const user = userEvent.setup();
  render(<OcrPage />, { wrapper: AppStateProvider });
  await waitFor(() => expect(mockApi.ocrQueue).toHaveBeenCalled());
  return { user };
}

describe("OcrPage: the queue", () => {
  it("lists the documents with their state and what is left, and counts mine and 保留", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrQueue);
    await renderPage();
    const rows = await screen.findAllByTestId("ocr-row");
    expect(rows).toHaveLength(5);
    expect(rows[0]).toHaveAttribute("data-id", OCR_DOC);
    expect(rows[0]).toHaveTextContent("組合員資格取得届");
    expect(rows[0]).toHaveTextContent("scan-0001.pdf");
    expect(rows[0]).toHaveTextContent("佐藤 花子");
    expect(within(rows[0]!).getByTestId("ocr-row-status")).toHaveTextContent("確認待ち");
    expect(rows[0]).toHaveTextContent("未送信");
    expect(within(rows[0]!).getByTestId("ocr-row-remaining")).toHaveTextContent("あなた 4項目");
    expect(within(rows[2]!).getByTestId("ocr-row-status")).toHaveTextContent("他の担当者待ち");
    expect(within(rows[3]!).getByTestId("ocr-row-status")).toHaveTextContent("保留（請求金額の欄が破れていて読めない）");
    expect(within(rows[4]!).getByTestId("ocr-row-status")).toHaveTextContent("引継済");
    expect(screen.getByTestId("ocr-count-mine")).toHaveTextContent("私の確認待ち 2件");
    expect(screen.getByTestId("ocr-count-exceptions")).toHaveTextContent("保留 1件");
  });

  it("says so when nothing was read yet, and 確認を始める has nothing to open", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrEmptyQueue);
    const { user } = await renderPage();
    expect(await screen.findByTestId("ocr-queue-empty")).toHaveTextContent("読み取った帳票はまだありません");
    const start = screen.getByTestId("ocr-start");
    expect(start).toHaveAttribute("aria-disabled", "true");
    await user.click(start);
    expect(mockApi.ocrOpen).not.toHaveBeenCalled();
  });

  it("opens a row with ↓ and Enter", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrQueue);
    mockApi.ocrOpen.mockResolvedValue(ocrView({ state: ocrState({ id: OCR_DOC_NEXT }) }));
    const { user } = await renderPage();
    const rows = await screen.findAllByTestId("ocr-row");
    rows[0]!.focus();
    await user.keyboard("{ArrowDown}");
    expect(rows[1]).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(mockApi.ocrOpen).toHaveBeenCalledWith(OCR_DOC_NEXT));
    expect(await screen.findByTestId("ocr-doc")).toBeInTheDocument();
  });

  it("shows who holds the lease when the document is being corrected elsewhere, and stays on the queue", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrQueue);
    const held = "この帳票は木村 由美さんが確認中です（11月26日 9:35 まで）。終わるまで待つか、別の帳票を選んでください。";
    mockApi.ocrOpen.mockRejectedValue(new BackendError("ocr.lease_held", held));
    const { user } = await renderPage();
    await user.click(await screen.findByTestId("ocr-start"));
    const error = await screen.findByTestId("ocr-open-error");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("木村 由美さんが確認中です");
    expect(screen.queryByTestId("ocr-doc")).not.toBeInTheDocument();
    expect(screen.getByTestId("ocr-queue")).toBeInTheDocument();
  });

  it("保留: lists the documents set aside with their reason, and 保留を解除 takes one out", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrQueue);
    mockApi.ocrReopen.mockResolvedValue(ocrState({ id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a04" }));
    const { user } = await renderPage();
    await user.click(await screen.findByTestId("ocr-tab-exceptions"));
    const rows = screen.getAllByTestId("ocr-exception-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent("請求金額の欄が破れていて読めない");
    expect(rows[0]).toHaveTextContent("木村 由美");
    await user.click(within(rows[0]!).getByTestId("ocr-reopen"));
    await waitFor(() => expect(mockApi.ocrReopen).toHaveBeenCalledWith("0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a04"));
    expect(await screen.findByTestId("ocr-notice")).toHaveTextContent("保留を解除しました");
    expect(mockApi.ocrQueue).toHaveBeenCalledTimes(2);
  });
});

describe("OcrPage: reading a scan", () => {
  it("sends the file's bytes with the chosen template, shows it is busy, then what went to people", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrEmptyQueue);
    let finish: () => void = () => undefined;
    mockApi.ocrImport.mockImplementation(
      () =>
        new Promise((resolve) => {
          finish = () => resolve({ documents: 3, fields: 54, autoAccepted: 42, toPeople: 12, ids: [OCR_DOC] });
        }),
    );
    const { user } = await renderPage();
    await user.selectOptions(await screen.findByTestId("ocr-import-template"), "seikyusho");
    const file = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], "scan-0001.pdf", { type: "application/pdf" });
    const input = screen.getByTestId("ocr-import-file");
    expect(input).toHaveAttribute("accept", ".png,.jpg,.jpeg,.tif,.tiff,.pdf");
    await user.upload(input, file);
    await user.click(screen.getByTestId("ocr-import-run"));
    await waitFor(() => expect(mockApi.ocrImport).toHaveBeenCalledWith("scan-0001.pdf", "JVBERg==", "seikyusho"));
    expect(screen.getByTestId("ocr-import-run")).toHaveAttribute("aria-busy", "true");
    expect(screen.getByTestId("ocr-import-run")).toHaveTextContent("読み取っています");
    finish();
    expect(await screen.findByTestId("ocr-import-result")).toHaveTextContent("3件を読み取りました：確認が必要な項目 12 / 全 54 項目");
    expect(mockApi.ocrQueue).toHaveBeenCalledTimes(2);
  });

  it("asks for a file first, and shows Rust's reason when a scan cannot be read", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrEmptyQueue);
    mockApi.ocrImport.mockRejectedValue(new BackendError("ocr.page_count", "ページ数が合いません（3ページ）。「組合員資格取得届」は1件1ページです。"));
    const { user } = await renderPage();
    await user.click(await screen.findByTestId("ocr-import-run"));
    expect(screen.getByTestId("ocr-import-error")).toHaveTextContent("読み取るファイルを選んでください。");
    expect(mockApi.ocrImport).not.toHaveBeenCalled();
    await user.upload(screen.getByTestId("ocr-import-file"), new File(["x"], "scan.tif", { type: "image/tiff" }));
    await user.click(screen.getByTestId("ocr-import-run"));
    expect(await screen.findByText(/ページ数が合いません（3ページ）/)).toBeInTheDocument();
    expect(mockApi.ocrImport).toHaveBeenCalledWith("scan.tif", "eA==", "shikaku-shutoku-todoke");
  });
});

describe("OcrPage: a vendor's AI-OCR results", () => {
  it("sends the scan and the vendor file together, and the scan alone again once the vendor file is cleared", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrEmptyQueue);
    mockApi.ocrImportVendor.mockResolvedValue({ documents: 2, fields: 36, autoAccepted: 30, toPeople: 6, ids: [OCR_DOC] });
    mockApi.ocrImport.mockResolvedValue({ documents: 1, fields: 18, autoAccepted: 15, toPeople: 3, ids: [OCR_DOC] });
    const { user } = await renderPage();
    const scan = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], "batch-07.pdf", { type: "application/pdf" });
    await user.upload(await screen.findByTestId("ocr-import-file"), scan);
    const vendorInput = screen.getByTestId("ocr-import-vendor");
    expect(vendorInput).toHaveAttribute("accept", ".csv,.json");
    await user.upload(vendorInput, new File(["doc"], "dx-suite-07.csv", { type: "text/csv" }));
    expect(screen.getByTestId("ocr-import-run")).toHaveTextContent("読取結果を取り込む");
    await user.click(screen.getByTestId("ocr-import-run"));
    await waitFor(() =>
      expect(mockApi.ocrImportVendor).toHaveBeenCalledWith("batch-07.pdf", "JVBERg==", "dx-suite-07.csv", "ZG9j", "shikaku-shutoku-todoke"),
    );
    expect(mockApi.ocrImport).not.toHaveBeenCalled();
    expect(await screen.findByTestId("ocr-import-result")).toHaveTextContent("2件を読み取りました：確認が必要な項目 6 / 全 36 項目");
    // Both choices are cleared after a successful import; a scan alone is read here.
    expect(screen.getByTestId("ocr-import-run")).toHaveTextContent("読み取る");
    await user.upload(screen.getByTestId("ocr-import-file"), scan);
    await user.upload(screen.getByTestId("ocr-import-vendor"), new File(["doc"], "dx-suite-08.csv", { type: "text/csv" }));
    await user.click(screen.getByTestId("ocr-import-vendor-clear"));
    await user.click(screen.getByTestId("ocr-import-run"));
    await waitFor(() => expect(mockApi.ocrImport).toHaveBeenCalledWith("batch-07.pdf", "JVBERg==", "shikaku-shutoku-todoke"));
    expect(mockApi.ocrImportVendor).toHaveBeenCalledTimes(1);
  });

  it("shows Rust's reason when the counts of the scan and the vendor file differ", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrEmptyQueue);
    mockApi.ocrImportVendor.mockRejectedValue(
      new BackendError("ocr.vendor_document_count", "読取結果ファイルの帳票は3件、スキャンしたファイルの帳票は2件で、数が合いません。"),
    );
    const { user } = await renderPage();
    await user.upload(await screen.findByTestId("ocr-import-file"), new File(["x"], "scan.pdf", { type: "application/pdf" }));
    await user.upload(screen.getByTestId("ocr-import-vendor"), new File(["y"], "vendor.json", { type: "application/json" }));
    await user.click(screen.getByTestId("ocr-import-run"));
    expect(await screen.findByText(/帳票は3件、スキャンしたファイルの帳票は2件/)).toBeInTheDocument();
  });
});

describe("OcrPage: 集計", () => {
  it("shows the straight-through and silent-error rates with the QA counts, per field and per person", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrQueue);
    mockApi.ocrMetrics.mockResolvedValue(ocrMetrics);
    const { user } = await renderPage();
    await user.click(await screen.findByTestId("ocr-tab-metrics"));
    const root = await screen.findByTestId("ocr-metrics");
    expect(within(root).getByTestId("ocr-metrics-straight")).toHaveTextContent("72.5%");
    expect(root).toHaveTextContent("自動確定 261 / 全 360 項目");
    expect(within(root).getByTestId("ocr-metrics-silent")).toHaveTextContent("QA 40項目中 誤り 0（上限 8.8%）");
    expect(root).toHaveTextContent("QA 確認待ち 6 項目");
    // The numbers behind the bars, for screen readers.
    const perField = within(root).getByRole("table", { name: /項目別の正解率/ });
    expect(within(perField).getByRole("row", { name: /フリガナ/ })).toHaveTextContent("70.0%");
    const people = within(root).getByRole("table", { name: "担当者別の処理量" });
    const sato = within(people).getByRole("row", { name: /佐藤 花子/ });
    expect(sato).toHaveTextContent("412 項目/時");
    expect(sato).toHaveTextContent("70 秒");
    expect(within(root).getByTestId("ocr-metrics-field-bars")).toHaveAttribute("aria-hidden", "true");
  });

  it("says when there is no QA result yet", async () => {
    mockApi.ocrQueue.mockResolvedValue(ocrQueue);
    mockApi.ocrMetrics.mockResolvedValue({ ...ocrMetrics, qaChecked: 0, qaWrong: 0, silentErrorRate: null, silentErrorUpper: 1, perField: [], operators: [] });
    const { user } = await renderPage();
    await user.click(await screen.findByTestId("ocr-tab-metrics"));
    expect(await screen.findByTestId("ocr-metrics-silent")).toHaveTextContent("QA（自動確定した項目の抜き取り確認）の結果はまだありません。");
  });
});
