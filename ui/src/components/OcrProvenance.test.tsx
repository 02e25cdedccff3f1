import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { OcrProvenance } from "./OcrProvenance";

describe("OcrProvenance", () => {
  it("lists each value with its reading, confidence, how it was decided and by whom", () => {
    render(
      <OcrProvenance
        provenance={{
          documentId: "d1",
          documentLabel: "20261126-093000-scan",
          sourceName: "scan.pdf",
          fields: [
            {
              field: "member.name",
              label: "氏名",
              engineValue: "山田 大郎",
              value: "山田 太郎",
              resolution: "corrected",
              resolutionLabel: "修正",
              engine: "tesseract 5.3.0",
              confidence: 62,
              by: ["佐藤 花子"],
              at: "2026-11-26T00:31:00Z",
            },
            {
              field: "office.code",
              label: "所属所番号",
              engineValue: "1203",
              value: "1203",
              resolution: "auto",
              resolutionLabel: "読取どおり（自動）",
              engine: "tesseract 5.3.0",
              confidence: 99,
              by: [],
              at: null,
            },
          ],
        }}
      />,
    );
    expect(screen.getByText(/scan\.pdf/)).toBeInTheDocument();
    const rows = screen.getAllByTestId("acq-provenance-row");
    expect(rows).toHaveLength(2);
    const name = within(rows[0]!);
    expect(name.getByText("山田 太郎")).toBeInTheDocument();
    expect(name.getByText("山田 大郎")).toBeInTheDocument();
    expect(name.getByText("62%")).toBeInTheDocument();
    expect(name.getByText("修正")).toBeInTheDocument();
    expect(name.getByText("佐藤 花子")).toBeInTheDocument();
    // The time as a clerk reads it (local time), not the wire format.
    expect(name.getByText(/2026年11月26日/)).toBeInTheDocument();
    expect(within(rows[1]!).getByText("読取どおり（自動）")).toBeInTheDocument();
  });
});
