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
  canEdit: true,
  canSubmit: false,
  canWithdraw: true,
  canAmend: false,
  amends: null,
  amendsTitle: null,
  updatedAt: "2024-06-03T00:30:00Z",
};

const approved: ProposalView = {
  ...inProgress,
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3c03",
  title: "窓口用消耗品の購入",
  text: "トナーと封筒を購入します。",
  amount: "48000",
  amountText: "48,000",
  status: "approved",
  statusLabel: "決裁済み",
  whereText: "決裁済み",
  flags: { important: false, unusual: true, precedent: false },
  canEdit: false,
  canWithdraw: false,
  canAmend: true,
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
      amends: null,
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
    expect(mockApi.saveProposal).toHaveBeenCalledWith({ id: null, title: "コピー用紙の購入", text: "", amount: "", amends: null });
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
    expect(screen.getByTestId("proposal-title")).not.toHaveAttribute("readonly");
    expect(screen.queryByTestId("proposal-submit")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("proposal-withdraw"));
    await user.click(screen.getByTestId("proposal-withdraw-dialog-confirm"));
    await waitFor(() => expect(mockApi.withdrawProposal).toHaveBeenCalledWith(inProgress.id));
    expect(await screen.findByTestId("proposal-banner-success")).toHaveTextContent("取下げました。");
  });
});

describe("ProposalsPage: changes after 回議 has started", () => {
  it("asks before saving a document in 回議; Esc keeps what was typed; then saves and says the approvals start again", async () => {
    mockApi.saveProposal.mockImplementation(async (d) => ({ ...inProgress, amount: "300000", amountText: "300,000", label: "未送信", title: d.title }));
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("proposal-row")[0]!);
    expect(screen.getByTestId("proposal-kaigi-note")).toHaveTextContent("これまでの承認はやり直しになります");
    const amount = screen.getByTestId("proposal-amount");
    await user.clear(amount);
    await user.type(amount, "300,000");
    // Still in 回議: the primary action is 保存, not 決裁に回す.
    expect(screen.queryByTestId("proposal-submit")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("proposal-save"));
    const dialog = await screen.findByTestId("proposal-restart-dialog");
    expect(dialog).toHaveTextContent("保存すると、これまでの承認はやり直しになります");
    expect(screen.getByTestId("proposal-restart-dialog-cancel")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("proposal-restart-dialog")).not.toBeInTheDocument();
    expect(mockApi.saveProposal).not.toHaveBeenCalled();
    expect(screen.getByTestId("proposal-amount")).toHaveValue("300,000");

    fireEvent.keyDown(screen.getByTestId("proposal-amount"), { key: "s", code: "KeyS", ctrlKey: true });
    await user.click(await screen.findByTestId("proposal-restart-dialog-confirm"));
    await waitFor(() =>
      expect(mockApi.saveProposal).toHaveBeenCalledWith({
        id: inProgress.id,
        title: "パソコン更新の伺い",
        text: "老朽化したパソコン12台を更新します。",
        amount: "300,000",
        amends: null,
      }),
    );
    expect(await screen.findByTestId("proposal-banner-success")).toHaveTextContent("承認は最初からやり直しになります");
  });

  it("shows a decided document read-only and starts a 変更起案 from it, linked to the original", async () => {
    const amendment = (d: ProposalDraft): ProposalView => ({
      ...saved(d),
      amends: d.amends ?? null,
      amendsTitle: "窓口用消耗品の購入",
    });
    mockApi.saveProposal.mockImplementation(async (d) => amendment(d));
    mockApi.submitProposal.mockImplementation(async (id) => ({ ...inProgress, id, pending: true, amends: approved.id, amendsTitle: approved.title }));
    const { user } = await renderPage([inProgress, approved]);
    await user.click(screen.getAllByTestId("proposal-row")[1]!);
    expect(screen.getByTestId("proposal-title")).toHaveAttribute("readonly");
    expect(screen.queryByTestId("proposal-save")).not.toBeInTheDocument();
    expect(screen.queryByTestId("proposal-submit")).not.toBeInTheDocument();
    expect(screen.getByTestId("proposal-decided")).toHaveTextContent("決裁が済んだ文書は変更できません");

    await user.click(screen.getByTestId("proposal-amend"));
    expect(screen.getByRole("heading", { name: "新しい起案文書（変更起案）" })).toBeInTheDocument();
    expect(screen.getByTestId("proposal-amends")).toHaveTextContent("変更起案（元文書: 窓口用消耗品の購入）");
    const title = screen.getByTestId("proposal-title");
    expect(title).toHaveFocus();
    expect(title).toHaveValue("窓口用消耗品の購入");
    expect(screen.getByTestId("proposal-text")).toHaveValue("トナーと封筒を購入します。");
    expect(screen.getByTestId("proposal-amount")).toHaveValue("48000");
    expect(screen.getByTestId("proposal-unusual")).toBeChecked();
    await user.clear(screen.getByTestId("proposal-amount"));
    await user.type(screen.getByTestId("proposal-amount"), "52,000");

    fireEvent.keyDown(title, { key: "s", code: "KeyS", ctrlKey: true });
    await waitFor(() =>
      expect(mockApi.saveProposal).toHaveBeenCalledWith({
        id: null,
        title: "窓口用消耗品の購入",
        text: "トナーと封筒を購入します。",
        amount: "52,000",
        amends: approved.id,
      }),
    );
    expect(await screen.findByTestId("proposal-amends")).toHaveTextContent("変更起案（元文書: 窓口用消耗品の購入）");
    await user.click(screen.getByTestId("proposal-submit"));
    await waitFor(() =>
      expect(mockApi.submitProposal).toHaveBeenCalledWith("0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3c10", { important: false, unusual: true, precedent: false }),
    );
  });

  it("marks a 変更起案 in the list with its original", async () => {
    await renderPage([{ ...returned, amends: inProgress.id, amendsTitle: "パソコン更新の伺い" }]);
    expect(screen.getByTestId("proposal-row-amends")).toHaveTextContent("変更起案（元文書: パソコン更新の伺い）");
  });
});
