import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../backend";
import { dateView, reiwa6April1 } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { WarekiPage } from "./WarekiPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
});

describe("WarekiPage", () => {
  it("converts 和暦 typed in the date field and shows the result large, with copy buttons", async () => {
    mockApi.warekiToDate.mockResolvedValue(reiwa6April1);
    const user = userEvent.setup();
    render(<WarekiPage />);
    const group = screen.getByRole("group", { name: "和暦の日付" });
    await user.type(screen.getByRole("textbox", { name: "年" }), "6");
    await user.type(screen.getByRole("textbox", { name: "月" }), "4");
    await user.type(screen.getByRole("textbox", { name: "日" }), "1{Enter}");
    expect(group).toBeInTheDocument();
    expect(await screen.findByTestId("convert-wareki-output-iso")).toHaveTextContent("2024-04-01");
    expect(screen.getByTestId("convert-wareki-output-wareki")).toHaveTextContent("令和6年4月1日");
    expect(screen.getByRole("button", { name: "西暦をコピー" })).toBeInTheDocument();
  });

  it("converts 西暦 to 和暦, accepting 2024/4/1 and full-width digits", async () => {
    mockApi.dateToWareki.mockResolvedValue(reiwa6April1);
    const user = userEvent.setup();
    render(<WarekiPage />);
    await user.type(screen.getByRole("textbox", { name: "西暦の日付" }), "２０２４/4/1{Enter}");
    expect(mockApi.dateToWareki).toHaveBeenCalledWith("2024-04-01");
    expect(await screen.findByTestId("convert-iso-output-wareki")).toHaveTextContent("令和6年4月1日");
  });

  it("reads R6.4.1 through Rust and shows Rust's message when it cannot", async () => {
    mockApi.parseWareki.mockImplementation(async (text) => {
      if (text === "H31.4.30") return dateView("2019-04-30", "heisei", "平成", 31);
      throw new BackendError(
        "wareki.unparseable",
        "和暦の日付として読み取れません。「令和6年4月1日」または「R6.4.1」の形で入力してください。",
      );
    });
    const user = userEvent.setup();
    render(<WarekiPage />);
    const box = screen.getByRole("textbox", { name: "和暦の文字" });

    await user.type(box, "きのう{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("「R6.4.1」の形で入力してください。");
    expect(box).toHaveAttribute("aria-invalid", "true");
    expect(box).toHaveValue("きのう");

    await user.clear(box);
    await user.type(box, "Ｈ３１．４．３０");
    await user.click(screen.getByTestId("convert-text-convert"));
    expect(mockApi.parseWareki).toHaveBeenLastCalledWith("H31.4.30");
    expect(await screen.findByTestId("convert-text-output-wareki")).toHaveTextContent("平成31年4月30日");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
