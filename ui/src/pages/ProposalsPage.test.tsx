import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProposalDraft, ProposalView } from "../backend";
import { AppStateProvider } from "../shell/appState";
import { onlineStatus, session } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { ProposalsPage } from "./ProposalsPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const inProgress: ProposalView = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3c01",
  title: "パソコン更新の伺い",
  text: "老朽化したパソコン12台を更新します。",
  amount: "2400000",
  amountText: "2,400,000",
  status: "in_progress",
  statusLabel: "回議中",
  whereText: "2人目 / 3人中 課長 の決裁待ち",
  reason: null,
  flags: { important: false, unusual: false, precedent: false },
  label: null,
  pending: false,
  canEdit: false,
  canSubmit: false,
  canWithdraw: true,
  updatedAt: "2024-06-03T00:30:00Z",
};

const returned: ProposalView = {
  ...inProgress,
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3c02",
  title: "研修会場の借上げ",
  amount: "450000",
  amountText: "450,000",
  status: "returned",
  statusLabel: "差戻し",
  whereText: "差戻し（理由: 見積書を添付してください）",
  reason: "見積書を添付してください",
  canEdit: true,
  canSubmit: true,
  canWithdraw: false,
};

const route = (steps: string[]) => ({ steps, approvers: steps.length, unconfirmed: true, error: null });

beforeEach(() => {
  resetMockApi();
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
  mockApi.proposalRoutePreview.mockImplementation(async (amount) =>
    Number(amount.replace(/,/g, "")) >= 1_000_000 ? route(["所属所長", "課長", "部長"]) : route(["所属所長", "決裁者"]),
  );
});

async function renderPage(list: ProposalView[] = [inProgress, returned]) {
  mockApi.listProposals.mockResolvedValue(list);
  const user = userEvent.setup();
  render(
    <AppStateProvider>
      <ProposalsPage />
    </AppStateProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("proposals-count")).toBeInTheDocument());
  return { user };
}

function saved(draft: ProposalDraft): ProposalView {
  const n = Number(draft.amount.replace(/,/g, "") || "0");
  return {
    ...inProgress,
    id: draft.id ?? "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3c10",
    title: draft.title,
    text: draft.text,
    amount: String(n),
    amountText: n.toLocaleString("ja-JP"),
    status: "draft",
    statusLabel: "下書き",
    whereText: "起案前（下書き）",
    label: "未送信",
    canEdit: true,
    canSubmit: true,
    canWithdraw: false,
  };
}

describe("ProposalsPage", () => {
  it("lists my documents with a status badge and where each stands", async () => {
    await renderPage();
    const rows = screen.getAllByTestId("proposal-row");
    expect(within(rows[0]!).getByTestId("proposal-status")).toHaveTextContent("回議中");
    expect(within(rows[0]!).getByTestId("proposal-where")).toHaveTextContent("2人目 / 3人中 課長 の決裁待ち");
    expect(within(rows[1]!).getByTestId("proposal-status")).toHaveAttribute("data-tone", "error");
    expect(screen.getByTestId("proposals-count")).toHaveTextContent("2 件");
  });

  it("writes a new document, shows the route while typing and sends it round with the flags", async () => {
    mockApi.checkProposal.mockImplementation(async (d) =>
      d.title.trim() === "" ? [{ field: "title", code: "proposal.title_required", severity: "error", message: "件名を入力してください。" }] : [],
    );
    mockApi.saveProposal.mockImplementation(async (d) => saved(d));
    mockApi.submitProposal.mockImplementation(async (id) => ({ ...inProgress, id, pending: true, canWithdraw: false, whereText: "" }));
    const { user } = await renderPage([]);
    fireEvent.keyDown(document.body, { key: "n", code: "KeyN", altKey: true });
    const title = await screen.findByTestId("proposal-title");
    expect(title).toHaveFocus();
    await user.tab();
    expect(await screen.findByRole("alert")).toHaveTextContent("件名を入力してください。");

    await user.type(title, "研修会場の借上げ");
    await user.type(screen.getByTestId("proposal-text"), "職員研修の会場を借り上げます。");
    await user.type(screen.getByTestId("proposal-amount"), "1,200,000");
    await waitFor(() =>
      expect(screen.getAllByTestId("proposal-route-step").map((s) => s.textContent)).toEqual(["1. 所属所長", "2. 課長", "3. 部長"]),
    );
    expect(screen.getByTestId("proposal-route")).toHaveTextContent("決裁者 3 人");
    await user.click(screen.getByTestId("proposal-unusual"));
    await waitFor(() =>
      expect(mockApi.proposalRoutePreview).toHaveBeenLastCalledWith("1,200,000", { important: false, unusual: true, precedent: false }),
    );

    await user.click(screen.getByTestId("proposal-submit"));
    await waitFor(() => expect(mockApi.submitProposal).toHaveBeenCalled());
    expect(mockApi.saveProposal).toHaveBeenCalledWith({
      id: null,
      title: "研修会場の借上げ",
      text: "職員研修の会場を借り上げます。",
      amount: "1,200,000",
    });
    expect(mockApi.submitProposal).toHaveBeenCalledWith("0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3c10", {
      important: false,
      unusual: true,
      precedent: false,
    });
    expect(await screen.findByTestId("proposal-banner-success")).toHaveTextContent("決裁に回しました。");
  });

  it("saves with Ctrl+S", async () => {
    mockApi.saveProposal.mockImplementation(async (d) => saved(d));
    const { user } = await renderPage([]);
    await user.click(screen.getByTestId("proposals-new"));
    await user.type(screen.getByTestId("proposal-title"), "コピー用紙の購入");
    fireEvent.keyDown(screen.getByTestId("proposal-title"), { key: "s", code: "KeyS", ctrlKey: true });
    expect(await screen.findByTestId("proposal-banner-success")).toHaveTextContent("保存しました（未送信）");
    expect(mockApi.saveProposal).toHaveBeenCalledWith({ id: null, title: "コピー用紙の購入", text: "", amount: "" });
  });

  it("shows the reason after 差戻し and offers 再提出; a document in 回議 can be withdrawn", async () => {
    mockApi.submitProposal.mockImplementation(async (id) => ({ ...returned, id, pending: true, canSubmit: false }));
    mockApi.withdrawProposal.mockImplementation(async (id) => ({ ...inProgress, id, pending: true, canWithdraw: false }));
    const { user } = await renderPage();
    const list = screen.getByTestId("proposals-list");
    list.focus();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(await screen.findByTestId("proposal-return-reason")).toHaveTextContent("差戻しの理由: 見積書を添付してください");
    const resubmit = screen.getByTestId("proposal-submit");
    expect(resubmit).toHaveTextContent("再提出");
    await user.click(resubmit);
    await waitFor(() => expect(mockApi.submitProposal).toHaveBeenCalledWith(returned.id, inProgress.flags));
    expect(mockApi.saveProposal).not.toHaveBeenCalled();

    await user.click(screen.getAllByTestId("proposal-row")[0]!);
    expect(screen.getByTestId("proposal-title")).toHaveAttribute("readonly");
    expect(screen.queryByTestId("proposal-submit")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("proposal-withdraw"));
    await user.click(screen.getByTestId("proposal-withdraw-dialog-confirm"));
    await waitFor(() => expect(mockApi.withdrawProposal).toHaveBeenCalledWith(inProgress.id));
    expect(await screen.findByTestId("proposal-banner-success")).toHaveTextContent("取下げました。");
  });
});
