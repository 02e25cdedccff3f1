import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { TabList } from "./TabList";

function Harness() {
  const [tab, setTab] = useState<"a" | "b" | "c">("a");
  return (
    <TabList
      tabs={[
        { id: "a", label: "受付一覧" },
        { id: "b", label: "保留" },
        { id: "c", label: "集計" },
      ]}
      selected={tab}
      onSelect={setTab}
      idPrefix="x"
      label="表示"
    />
  );
}

describe("TabList", () => {
  it("moves and selects with the arrow keys, wrapping, with one Tab stop", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const [a, b, c] = screen.getAllByRole("tab");
    expect(a).toHaveAttribute("aria-selected", "true");
    expect(b).toHaveAttribute("tabindex", "-1");
    await user.tab();
    expect(a).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(b).toHaveFocus();
    expect(b).toHaveAttribute("aria-selected", "true");
    expect(a).toHaveAttribute("aria-selected", "false");
    await user.keyboard("{ArrowLeft}{ArrowLeft}");
    expect(c).toHaveFocus();
    expect(c).toHaveAttribute("aria-controls", "x-panel-c");
    await user.click(a!);
    expect(a).toHaveAttribute("aria-selected", "true");
  });
});
