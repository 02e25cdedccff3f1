import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../backend";
import { reiwa1May1, reiwa6April1 } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { WarekiDateField } from "./WarekiDateField";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

function Harness({ onChange }: { onChange: (iso: string | null) => void }) {
  const [value, setValue] = useState<string | null>(null);
  return (
    <>
      <WarekiDateField
        id="birth"
        label="生年月日"
        required
        value={value}
        onChange={(iso) => {
          setValue(iso);
          onChange(iso);
        }}
      />
      <button type="button">次へ</button>
    </>
  );
}

function setup() {
  const onChange = vi.fn<(iso: string | null) => void>();
  const user = userEvent.setup();
  render(<Harness onChange={onChange} />);
  const group = screen.getByRole("group", { name: /生年月日/ });
  return {
    user,
    onChange,
    group,
    era: screen.getByRole("combobox", { name: "元号" }),
    year: screen.getByRole("textbox", { name: "年" }),
    month: screen.getByRole("textbox", { name: "月" }),
    day: screen.getByRole("textbox", { name: "日" }),
  };
}

beforeEach(() => {
  resetMockApi();
});

describe("WarekiDateField", () => {
  it("renders a labelled fieldset with era, year, month and day", () => {
    const { era, year, month, day } = setup();
    expect(screen.getByRole("group", { name: /生年月日/ }).tagName).toBe("FIELDSET");
    expect(era).toHaveValue("reiwa");
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["明治", "大正", "昭和", "平成", "令和"]);
    for (const input of [year, month, day]) expect(input).toHaveAttribute("inputmode", "numeric");
    expect(month).toHaveAttribute("maxlength", "2");
    expect(day).toHaveAttribute("maxlength", "2");
  });

  it("shows 西暦 beside the field and reports the ISO date when Rust accepts it", async () => {
    mockApi.warekiToDate.mockResolvedValue(reiwa6April1);
    const { user, onChange, year, month, day } = setup();

    await user.type(year, "6");
    await user.type(month, "4");
    await user.type(day, "1");
    expect(mockApi.warekiToDate).not.toHaveBeenCalled(); // moving inside the group does not check
    await user.tab(); // leaves the group

    expect(await screen.findByText("2024-04-01（月）")).toBeInTheDocument();
    expect(mockApi.warekiToDate).toHaveBeenCalledTimes(1);
    expect(mockApi.warekiToDate).toHaveBeenCalledWith({ era: "reiwa", year: 6, month: 4, day: 1 });
    expect(onChange).toHaveBeenLastCalledWith("2024-04-01");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(year).not.toHaveAttribute("aria-invalid");
  });

  it("shows Rust's Japanese error in red with role=alert, marks the inputs invalid and keeps what was typed", async () => {
    const message = "平成は31年4月30日までです。この日付は「令和元年5月1日」と入力してください。";
    mockApi.warekiToDate.mockRejectedValue(new BackendError("wareki.outside_era", message));
    const { user, onChange, era, year, month, day } = setup();

    await user.selectOptions(era, "heisei");
    await user.type(year, "31");
    await user.type(month, "5");
    await user.type(day, "1");
    await user.tab();

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(message);
    expect(mockApi.warekiToDate).toHaveBeenCalledWith({ era: "heisei", year: 31, month: 5, day: 1 });
    for (const control of [era, year, month, day]) {
      expect(control).toHaveAttribute("aria-invalid", "true");
      expect(control.getAttribute("aria-describedby")?.split(" ")).toContain(alert.id);
    }
    expect(era).toHaveValue("heisei");
    expect(year).toHaveValue("31");
    expect(month).toHaveValue("5");
    expect(day).toHaveValue("1");
    expect(onChange).not.toHaveBeenCalledWith(expect.stringMatching(/\d{4}-/));
  });

  it("accepts 元 and 元年 for year 1, and full-width digits", async () => {
    mockApi.warekiToDate.mockResolvedValue(reiwa1May1);
    const { user, onChange, year, month, day } = setup();

    await user.type(year, "元");
    await user.type(month, "５");
    await user.type(day, "１");
    await user.tab();
    await screen.findByText("2019-05-01（水）");
    expect(mockApi.warekiToDate).toHaveBeenLastCalledWith({ era: "reiwa", year: 1, month: 5, day: 1 });
    expect(onChange).toHaveBeenLastCalledWith("2019-05-01");

    await user.clear(year);
    await user.type(year, "元年");
    await user.click(screen.getByRole("button", { name: "次へ" }));
    await waitFor(() => expect(mockApi.warekiToDate).toHaveBeenCalledTimes(2));
    expect(mockApi.warekiToDate).toHaveBeenLastCalledWith({ era: "reiwa", year: 1, month: 5, day: 1 });
    expect(year).toHaveValue("元年"); // shown as typed
  });

  it("does not validate on the Enter that confirms an IME conversion, but does on a plain Enter in 日", async () => {
    mockApi.warekiToDate.mockResolvedValue(reiwa6April1);
    const { user, year, month, day } = setup();
    await user.type(year, "6");
    await user.type(month, "4");
    await user.click(day);

    fireEvent.compositionStart(day);
    fireEvent.change(day, { target: { value: "１" } });
    fireEvent.keyDown(day, { key: "Enter", code: "Enter", keyCode: 229, isComposing: true });
    fireEvent.keyDown(day, { key: "Enter", code: "Enter", keyCode: 13 });
    fireEvent.compositionEnd(day, { data: "１" });
    expect(mockApi.warekiToDate).not.toHaveBeenCalled();

    fireEvent.keyDown(day, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(await screen.findByText("2024-04-01（月）")).toBeInTheDocument();
    expect(mockApi.warekiToDate).toHaveBeenCalledWith({ era: "reiwa", year: 6, month: 4, day: 1 });
    expect(day).toHaveFocus();
  });

  it("asks for the missing parts without calling Rust when the group is left half filled", async () => {
    const { user, year, month } = setup();
    await user.type(year, "6");
    await user.type(month, "4");
    await user.click(screen.getByRole("button", { name: "次へ" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("年・月・日をすべて入力してください。");
    expect(mockApi.warekiToDate).not.toHaveBeenCalled();
    expect(year).toHaveValue("6");
  });

  it("shows a date given from outside in 和暦, converted by Rust", async () => {
    mockApi.dateToWareki.mockResolvedValue(reiwa6April1);
    render(<WarekiDateField id="start" label="資格取得日" value="2024-04-01" onChange={() => undefined} />);
    await waitFor(() => expect(screen.getByRole("textbox", { name: "年" })).toHaveValue("6"));
    expect(mockApi.dateToWareki).toHaveBeenCalledWith("2024-04-01");
    expect(screen.getByRole("combobox", { name: "元号" })).toHaveValue("reiwa");
    expect(screen.getByRole("textbox", { name: "月" })).toHaveValue("4");
    expect(screen.getByRole("textbox", { name: "日" })).toHaveValue("1");
  });
});
