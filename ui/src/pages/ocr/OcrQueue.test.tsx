import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { OCR_DOC, OCR_DOC_NEXT, ocrItem } from "../../test/fixtures";
import { OcrQueueTable } from "./OcrQueue";

describe("OcrQueueTable", () => {
  it("shows a verified 請求書 as waiting for a 支出命令, not for a person", () => {
    const items = [
      ocrItem({
        id: OCR_DOC,
        templateId: "seikyusho",
        templateName: "請求書",
        sourceName: "seikyu-0001.pdf",
        status: "verified",
        undecided: 0,
        fields: 17,
      }),
      ocrItem({ id: OCR_DOC_NEXT, status: "open", myTasks: 0, undecided: 0 }),
    ];
    render(<OcrQueueTable items={items} opening={null} onOpen={() => {}} />);
    const rows = screen.getAllByTestId("ocr-row");
    expect(within(rows[0]!).getByTestId("ocr-row-status")).toHaveTextContent("確認済み（支出命令への取込待ち）");
    expect(within(rows[0]!).getByTestId("ocr-row-remaining")).not.toHaveTextContent("あなた");
    // A completed 資格取得届 keeps its own words.
    expect(within(rows[1]!).getByTestId("ocr-row-status")).toHaveTextContent(/^確認済$/);
  });
});
