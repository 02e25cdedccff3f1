import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ImportPreview, ImportProgress, ImportResult, ImportRowView } from "../backend";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { AcquisitionImportPage, IMPORT_ROW_HEIGHT } from "./AcquisitionImportPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const HEADERS = ["所属所番号", "氏名", "フリガナ", "誕生日", "性別"];

function row(line: number, over: Partial<ImportRowView> = {}): ImportRowView {
  return {
    line,
    name: `職員\u3000${line}`,
    kana: `ショクイン\u3000${line}`,
    birthDate: "2001-07-14",
    acquiredOn: "2025-04-01",
    memberType: "一般組合員",
    grades: "短期 第13級 / 厚生年金 第10級",
    status: "ok",
    errors: 0,
    warnings: 0,
    findings: [],
    ...over,
  };
}

const badRow = row(3, {
  name: "鈴木\u3000一郎",
  status: "error",
  errors: 1,
  findings: [
    {
      field: "member.birthDate",
      label: "生年月日",
      column: "誕生日",
      code: "wareki.outside_era",
      severity: "error",
      message: "平成31年5月1日はありません。令和元年5月1日です。",
    },
  ],
});

function preview(over: Partial<ImportPreview> = {}): ImportPreview {
  return {
    session: "s-1",
    fileName: "4月採用.csv",
    encoding: "shift_jis",
    encodingLabel: "Shift_JIS",
    headers: HEADERS,
    fields: [
      { id: "office.code", label: "所属所番号" },
      { id: "member.name", label: "氏名" },
      { id: "member.birthDate", label: "生年月日" },
    ],
    mapping: [
      { field: "office.code", column: 0 },
      { field: "member.name", column: 1 },
      { field: "member.birthDate", column: null },
    ],
    unmappedHeaders: ["フリガナ", "誕生日", "性別"],
    rows: [row(2), badRow],
    total: 2,
    importable: 1,
    withWarnings: 0,
    withErrors: 1,
    officeCode: "13104",
    ...over,
  };
}

function csvFile(): File {
  return new File([new Uint8Array([0x8e, 0x81, 0x96, 0xbc, 0x2c, 0x0d, 0x0a])], "4月採用.csv", { type: "text/csv" });
}

async function chooseFile(user: ReturnType<typeof userEvent.setup>) {
  await user.upload(screen.getByLabelText("CSVファイル"), csvFile());
  await screen.findByTestId("imp-file-summary");
}

describe("AcquisitionImportPage", () => {
  beforeEach(() => {
    resetMockApi();
  });

  it("sends the file's bytes and shows the encoding, counts and findings of each row", async () => {
    mockApi.importOpen.mockResolvedValue(preview());
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    const [name, data, encoding] = mockApi.importOpen.mock.calls[0] ?? ["", "", "missing"];
    expect(name).toBe("4月採用.csv");
    expect(atob(data)).toBe(String.fromCharCode(0x8e, 0x81, 0x96, 0xbc, 0x2c, 0x0d, 0x0a));
    expect(encoding).toBeNull();
    expect(screen.getByTestId("imp-file-summary")).toHaveTextContent("文字コード: Shift_JIS");
    expect(screen.getByTestId("imp-counts")).toHaveTextContent("全 2 行：取り込む 1 行（うち警告あり 0 行）、取り込まない（誤りあり） 1 行");
    expect(screen.getByTestId("imp-unmapped")).toHaveTextContent("誕生日");
    const rows = screen.getAllByTestId("imp-row");
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveTextContent("3行目");
    expect(rows[1]).toHaveTextContent("誤りあり");
    expect(screen.getByTestId("imp-run")).toHaveTextContent("取り込む（1 件）");
  });

  it("moves through the rows with the arrow keys and shows every finding of the selected row", async () => {
    mockApi.importOpen.mockResolvedValue(preview());
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    const list = screen.getByRole("listbox", { name: "取り込む行の確認" });
    list.focus();
    expect(screen.getByTestId("imp-detail")).toHaveTextContent("指摘はありません。");
    await user.keyboard("{ArrowDown}");
    const detail = screen.getByTestId("imp-detail");
    expect(detail).toHaveTextContent("3行目の指摘");
    expect(detail).toHaveTextContent("生年月日（列「誕生日」）: 平成31年5月1日はありません。");
    expect(list).toHaveAttribute("aria-activedescendant", "imp-row-3");
  });

  it("shows a row that repeats an earlier one as refused, with the reason first in the list", async () => {
    const repeated = row(6, {
      name: "山田\u3000太郎",
      status: "error",
      errors: 1,
      warnings: 1,
      findings: [
        {
          field: "acquisition.acquiredOn",
          label: "資格取得年月日",
          column: "資格取得年月日",
          code: "acquisition.late_filing",
          severity: "warning",
          message: "届出期限（資格取得日から5日以内）を過ぎています。遅延理由を記入してください。",
        },
        {
          field: "member.basicPensionNumber",
          label: "基礎年金番号",
          column: "基礎年金番号",
          code: "import.duplicate_in_file",
          severity: "error",
          message: "2行目と同じ基礎年金番号です。同じ人を二重に取り込まないよう、どちらかの行を直すか削除してください。",
        },
      ],
    });
    mockApi.importOpen.mockResolvedValue(preview({ rows: [row(2), repeated], total: 2, importable: 1, withErrors: 1 }));
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    const rows = screen.getAllByTestId("imp-row");
    expect(rows[1]).toHaveTextContent("誤りあり");
    expect(rows[1]).toHaveTextContent("2行目と同じ基礎年金番号です。");
    expect(rows[1]).toHaveTextContent("ほか 1 件");
    await user.click(rows[1] as HTMLElement);
    expect(screen.getByTestId("imp-detail")).toHaveTextContent(
      "基礎年金番号（列「基礎年金番号」）: 2行目と同じ基礎年金番号です。同じ人を二重に取り込まないよう、どちらかの行を直すか削除してください。",
    );
    expect(screen.getByTestId("imp-run")).toHaveTextContent("取り込む（1 件）");
  });

  it("re-checks every row when a column is mapped to a field", async () => {
    mockApi.importOpen.mockResolvedValue(preview());
    const remapped = preview({ rows: [row(2), row(3)], importable: 2, withErrors: 0, unmappedHeaders: ["フリガナ", "性別"] });
    mockApi.importRemap.mockResolvedValue(remapped);
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    await user.selectOptions(screen.getByLabelText("生年月日"), "誕生日");
    await waitFor(() => expect(mockApi.importRemap).toHaveBeenCalled());
    expect(mockApi.importRemap.mock.calls[0]).toEqual([
      "s-1",
      [
        { field: "office.code", column: 0 },
        { field: "member.name", column: 1 },
        { field: "member.birthDate", column: 3 },
      ],
    ]);
    await waitFor(() => expect(screen.getByTestId("imp-run")).toHaveTextContent("取り込む（2 件）"));
  });

  it("shows the progress with counts, and 中止 leaves nothing imported", async () => {
    mockApi.importOpen.mockResolvedValue(preview());
    let progress: ((p: ImportProgress) => void) | null = null;
    mockApi.onImportProgress.mockImplementation((cb) => {
      progress = cb;
      return () => {
        progress = null;
      };
    });
    let finish: (r: ImportResult) => void = () => {};
    mockApi.importRun.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    await user.click(screen.getByTestId("imp-run"));
    expect(mockApi.importRun).toHaveBeenCalledWith("s-1");
    act(() => progress?.({ session: "s-1", done: 1, total: 1 }));
    expect(screen.getByTestId("imp-progress")).toHaveTextContent("取り込んでいます… 1 / 1 件");
    expect(screen.getByRole("progressbar")).toHaveAttribute("value", "1");
    await user.click(screen.getByTestId("imp-cancel"));
    expect(mockApi.importCancel).toHaveBeenCalledWith("s-1");
    expect(screen.getByTestId("imp-progress")).toHaveTextContent("中止しています…");
    await act(async () => finish({ imported: 0, withWarnings: 0, rejected: 1, cancelled: true }));
    expect(await screen.findByTestId("imp-result")).toHaveTextContent("取込みを中止しました。1件も取り込んでいません。");
    expect(progress).toBeNull();
  });

  it("summarises the import and saves the error report", async () => {
    mockApi.importOpen.mockResolvedValue(preview({ withWarnings: 1 }));
    mockApi.importRun.mockResolvedValue({ imported: 1, withWarnings: 1, rejected: 1, cancelled: false });
    mockApi.importSaveReport.mockResolvedValue("/home/tanaka/ダウンロード/資格取得届_取込エラー_20250402_091500.csv");
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    await user.click(screen.getByTestId("imp-run"));
    const result = await screen.findByTestId("imp-result");
    expect(result).toHaveTextContent("1 件を下書き（未送信）として取り込みました。");
    expect(result).toHaveTextContent("うち 1 件には警告があります。");
    expect(result).toHaveTextContent("誤りのある 1 行は取り込んでいません。");
    await user.click(within(result).getByRole("button", { name: "エラー一覧を保存" }));
    expect(mockApi.importSaveReport).toHaveBeenCalledWith("s-1");
    expect(await screen.findByTestId("imp-report-saved")).toHaveTextContent("資格取得届_取込エラー_20250402_091500.csv");
  });

  it("says why an import failed, and nothing was imported", async () => {
    mockApi.importOpen.mockResolvedValue(preview());
    const { BackendError } = await import("../backend/errors");
    mockApi.importRun.mockRejectedValue(
      new BackendError("import.failed", "取込みに失敗したため、1件も取り込んでいません（ディスクがいっぱいです）"),
    );
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    await user.click(screen.getByTestId("imp-run"));
    expect(await screen.findByTestId("imp-error")).toHaveTextContent("1件も取り込んでいません");
    expect(screen.queryByTestId("imp-result")).toBeNull();
  });

  it("re-reads the file with the chosen encoding", async () => {
    mockApi.importOpen.mockResolvedValue(preview());
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    await user.selectOptions(screen.getByLabelText("文字コード"), "UTF-8");
    await waitFor(() => expect(mockApi.importOpen).toHaveBeenCalledTimes(2));
    expect(mockApi.importOpen.mock.calls[1]?.[2]).toBe("utf8");
  });

  it("renders only the rows in view for 10,000 rows", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => row(i + 2));
    mockApi.importOpen.mockResolvedValue(preview({ rows, total: 10_000, importable: 10_000, withErrors: 0 }));
    const user = userEvent.setup();
    render(<AcquisitionImportPage />);
    await chooseFile(user);
    expect(screen.getAllByTestId("imp-row").length).toBeLessThan(30);
    const list = screen.getByTestId("imp-list");
    fireEvent.scroll(list, { target: { scrollTop: 5000 * IMPORT_ROW_HEIGHT } });
    expect(screen.getByText("5002行目")).toBeInTheDocument();
    list.focus();
    await user.keyboard("{End}");
    expect(list).toHaveAttribute("aria-activedescendant", "imp-row-10001");
  });
});
