import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type AcquisitionReviewView, type AutoReviewView, type DateView } from "../backend";
import { EMPTY_FORM } from "./AcquisitionEditor";
import { AcquisitionBatchPrint } from "./AcquisitionBatchPrint";
import { AcquisitionReview } from "./AcquisitionReview";
import { dateView } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const ID = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3d01";

function reviewView(over: Partial<AcquisitionReviewView> = {}): AcquisitionReviewView {
  return {
    view: {
      item: {
        id: ID,
        memberName: "山田\u3000太郎",
        memberKana: "ヤマダ\u3000タロウ",
        officeCode: "13104",
        acquiredOn: "2024-04-01",
        acquiredOnText: "令和6年4月1日 (2024-04-01)",
        stage: "certify",
        stageLabel: "所属所長の証明待ち",
        reason: null,
        deadline: "2024-04-06",
        daysLeft: 3,
        deadlineState: "ok",
        deadlineText: "4月6日まで あと3日",
        syncLabel: null,
        pending: false,
        updatedAt: null,
      },
      form: {
        ...EMPTY_FORM,
        office: { code: "13104", name: "中央区役所", certifiedOn: "", receivedOn: "" },
        member: { ...EMPTY_FORM.member, name: "山田\u3000太郎", nameKana: "ヤマダ\u3000タロウ", basicPensionNumber: "1234-567890" },
        acquisition: { ...EMPTY_FORM.acquisition, acquiredOn: "2024-04-01", reason: "newHire" },
      },
      myNumberMasked: "●●●● ●●●● 9018",
      myNumberWithheld: false,
      assessment: { findings: [], notes: [], grades: null, errors: 0, unacknowledged: 0 },
      acknowledgementLog: [],
      canEdit: false,
      canSubmit: false,
      canWithdraw: true,
      ocrProvenance: null,
    },
    approval: {
      id: ID,
      kind: "acquisition",
      kindName: "組合員資格取得届",
      title: "組合員資格取得届\u3000山田\u3000太郎",
      text: "",
      amount: "0",
      amountText: "0",
      officeCode: "13104",
      drafterName: "佐藤 花子",
      status: "in_progress",
      statusLabel: "回議中",
      round: 1,
      flagsLabel: "",
      submittedAt: "2024-04-02T01:00:00Z",
      steps: [
        {
          label: "所属所長",
          current: true,
          slots: [{ ordinal: 1, approverName: "所属所長", done: false, byName: null, how: null, at: null, waiting: true }],
        },
      ],
      history: [
        {
          round: 1,
          stepLabel: "起案",
          actLabel: "起案",
          byName: "佐藤 花子",
          onBehalfOfName: null,
          at: "2024-04-02T01:00:00Z",
          waitedText: "",
          comment: "",
        },
      ],
      postReads: [],
      actions: ["approve", "return"],
      delegateFor: null,
      delegateForName: null,
      myStep: "1人目 / 3人中 所属所長",
      seenHash: "hash-1",
      pending: false,
      lastOutcome: null,
      amends: null,
      amendsTitle: null,
    },
    step: "certify",
    approveLabel: "証明する",
    canApprove: true,
    canReturn: true,
    ...over,
  };
}

const found: AutoReviewView = {
  state: "ok",
  message: null,
  checkedAt: "2024-04-03T01:00:00Z",
  errors: 1,
  warnings: 0,
  findings: [
    {
      code: "review.duplicate_pension_number",
      severity: "error",
      field: "member.basicPensionNumber",
      message: "同じ基礎年金番号の届があります（事務局の審査待ち）。",
      relatedRecordId: "other",
      relatedTitle: "組合員資格取得届\u3000山田\u3000一郎",
    },
  ],
};

beforeEach(() => {
  resetMockApi();
  mockApi.acquisitionOptions.mockResolvedValue({
    sexes: [],
    reasons: [{ value: "newHire", label: "新規採用" }],
    memberTypes: [],
    appointments: [],
    payBases: [],
    pensionSchemes: [],
    relationships: [],
  });
});

async function renderReview(view = reviewView(), auto: AutoReviewView = found) {
  mockApi.acquisitionReview.mockResolvedValue(view);
  mockApi.acquisitionAutoReview.mockResolvedValue(auto);
  const onClose = vi.fn();
  const user = userEvent.setup();
  render(<AcquisitionReview id={ID} onClose={onClose} />);
  await screen.findByTestId("acq-review");
  return { user, onClose };
}

describe("reviewing a 資格取得届", () => {
  it("shows the automated review first, each result linking to its field, the form masked and the history", async () => {
    const { user } = await renderReview();
    const results = await screen.findByTestId("acq-review-auto-findings");
    expect(results).toHaveTextContent("同じ基礎年金番号の届があります");
    expect(results).toHaveTextContent("関連: 組合員資格取得届 山田 一郎");
    expect(screen.getByTestId("acq-review-auto-counts")).toHaveTextContent("誤り 1 件 / 確認 0 件");
    expect(screen.getByTestId("review-acq-member-myNumber")).toHaveTextContent("●●●● ●●●● 9018");
    expect(screen.getByTestId("acq-review-form")).toHaveTextContent("新規採用");
    expect(screen.getByTestId("acq-review-history")).toHaveTextContent("佐藤 花子");

    await user.click(within(results).getByTestId("acq-review-auto-link"));
    expect(document.activeElement).toBe(screen.getByTestId("review-acq-member-basicPensionNumber"));
    expect(within(results).getByTestId("acq-review-auto-link")).toHaveTextContent("基礎年金番号へ移動");
  });

  it("reveals the 個人番号 only after a purpose is given, and says why when the app refuses", async () => {
    const { user } = await renderReview();
    mockApi.revealAcquisitionMyNumber.mockRejectedValueOnce(
      new BackendError("my_number.reveal_not_permitted", "個人番号を表示できるのは所属所担当者と事務局審査担当だけです。"),
    );
    await user.click(screen.getByTestId("review-member-myNumber-reveal"));
    await user.click(screen.getByTestId("my-number-reveal-purpose-review"));
    await user.click(screen.getByTestId("my-number-reveal-confirm"));
    expect(await screen.findByTestId("my-number-reveal-error")).toHaveTextContent("事務局審査担当だけ");
    expect(screen.getByTestId("review-acq-member-myNumber")).toHaveTextContent("●●●● ●●●● 9018");

    mockApi.revealAcquisitionMyNumber.mockResolvedValueOnce("123456789018");
    await user.click(screen.getByTestId("my-number-reveal-confirm"));
    await waitFor(() => expect(screen.getByTestId("review-acq-member-myNumber")).toHaveTextContent("123456789018"));
    expect(mockApi.revealAcquisitionMyNumber).toHaveBeenLastCalledWith(ID, "review", "");
    expect(screen.queryByTestId("my-number-reveal")).toBeNull();
    expect(screen.queryByTestId("review-member-myNumber-reveal")).toBeNull();
  });

  it("shows a 個人番号 withheld from a 所属所長 or 決裁者 as registered, with no 表示", async () => {
    const base = reviewView();
    await renderReview({
      ...base,
      view: { ...base.view, myNumberMasked: "登録済み（表示の権限がありません）", myNumberWithheld: true },
    });
    expect(screen.getByTestId("review-acq-member-myNumber")).toHaveTextContent("登録済み（表示の権限がありません）");
    expect(screen.queryByTestId("review-member-myNumber-reveal")).toBeNull();
  });

  it("certifies with Ctrl+Enter, the button named for the step", async () => {
    const after = reviewView({ canApprove: false, approveLabel: null });
    mockApi.acquisitionAct.mockResolvedValue(after);
    const { user } = await renderReview();
    expect(screen.getByTestId("acq-review-approve")).toHaveTextContent("証明する");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() =>
      expect(mockApi.acquisitionAct).toHaveBeenCalledWith({
        id: ID,
        kind: "approve",
        reason: null,
        comment: null,
        forUser: null,
        seenHash: "hash-1",
      }),
    );
    expect(await screen.findByTestId("acq-review-banner-success")).toHaveTextContent("「証明する」を受け付けました");
    expect(screen.queryByTestId("acq-review-approve")).not.toBeInTheDocument();
  });

  it("returns only with a reason; Esc in the dialog keeps what was typed", async () => {
    mockApi.acquisitionAct.mockResolvedValue(reviewView({ canApprove: false, canReturn: false, approveLabel: null }));
    const { user, onClose } = await renderReview();
    await user.click(screen.getByTestId("acq-review-return"));
    await user.click(screen.getByTestId("acq-review-reason-confirm"));
    expect(screen.getByRole("alert")).toHaveTextContent("差戻しの理由を入力してください。");
    expect(mockApi.acquisitionAct).not.toHaveBeenCalled();

    await user.type(screen.getByTestId("acq-review-reason"), "住所を確認してください。");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("acq-review-return-dialog")).not.toBeInTheDocument();
    expect(onClose).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("acq-review-return"));
    expect(screen.getByTestId("acq-review-reason")).toHaveValue("住所を確認してください。");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() =>
      expect(mockApi.acquisitionAct).toHaveBeenCalledWith(expect.objectContaining({ kind: "return", reason: "住所を確認してください。" })),
    );
    // Esc outside a dialog goes back to the list.
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("says clearly when the automated review cannot be had, and can ask again", async () => {
    const offline: AutoReviewView = {
      state: "offline",
      message: "中央サービスに接続できないため、自動審査の結果を表示できません。",
      checkedAt: null,
      errors: 0,
      warnings: 0,
      findings: [],
    };
    const { user } = await renderReview(reviewView(), offline);
    expect(await screen.findByTestId("acq-review-auto-unavailable")).toHaveTextContent("中央サービスに接続できないため");
    mockApi.acquisitionAutoReview.mockResolvedValue(found);
    await user.click(screen.getByTestId("acq-review-auto-retry"));
    expect(await screen.findByTestId("acq-review-auto-findings")).toBeInTheDocument();
  });

  it("saves the printout and the notice, and shows where", async () => {
    mockApi.acquisitionPdf.mockResolvedValue("/home/u/Downloads/組合員資格取得届_山田.pdf");
    mockApi.acquisitionNoticePdf.mockRejectedValue(new (await import("../backend")).BackendError("print.write", "書けません。"));
    const { user } = await renderReview();
    await user.click(screen.getByTestId("acq-review-pdf"));
    expect(await screen.findByTestId("acq-review-banner-success")).toHaveTextContent("組合員資格取得届_山田.pdf");
    await user.click(screen.getByTestId("acq-review-notice"));
    expect(await screen.findByTestId("acq-review-banner-error")).toHaveTextContent("書けません。");
  });
});

describe("dates on the review", () => {
  /** What Rust's dateToWareki answers for the dates of these tests; others fail. */
  const known: Record<string, DateView> = {
    "2001-07-14": dateView("2001-07-14", "heisei", "平成", 13),
    "2019-05-01": dateView("2019-05-01", "reiwa", "令和", 1),
    "2024-04-01": dateView("2024-04-01", "reiwa", "令和", 6),
    "2026-11-26": dateView("2026-11-26", "reiwa", "令和", 8),
    "2026-11-27": dateView("2026-11-27", "reiwa", "令和", 8),
  };

  beforeEach(() => {
    mockApi.dateToWareki.mockImplementation(async (iso) => {
      const v = known[iso];
      if (!v) throw new (await import("../backend")).BackendError("date.invalid_iso", "変換できません。");
      return v;
    });
  });

  function withDates(certifiedOn: string, receivedOn: string): AcquisitionReviewView {
    const base = reviewView();
    const form = base.view.form;
    return {
      ...base,
      view: {
        ...base.view,
        form: {
          ...form,
          office: { ...form.office, certifiedOn, receivedOn },
          member: { ...form.member, birthDate: "2001-07-14" },
          pensionHistory: [{ kind: "nationalPension", kindDetail: "", acquiredOn: "2019-05-01", lostOn: "2024-03-31" }],
          dependants: [
            {
              name: "山田\u3000花子",
              nameKana: "ヤマダ\u3000ハナコ",
              relationship: "child",
              birthDate: "2019-05-01",
              livesTogether: true,
              remittanceRecorded: null,
              annualIncome: "0",
              disabled: false,
              residesInJapan: true,
              lateElderlyInsured: false,
            },
          ],
        },
      },
    };
  }

  it("shows 証明日, 受付日 and the form's dates in 和暦 with the 西暦 beside them", async () => {
    await renderReview(withDates("2026-11-26", "2026-11-27"));
    expect(await screen.findByText("令和8年11月26日（2026-11-26）")).toBeInTheDocument();
    expect(screen.getByTestId("review-acq-office-certifiedOn")).toHaveTextContent("所属所長の証明日令和8年11月26日（2026-11-26）");
    await waitFor(() => expect(screen.getByTestId("review-acq-office-receivedOn")).toHaveTextContent("令和8年11月27日（2026-11-27）"));
    await waitFor(() => expect(screen.getByTestId("review-acq-member-birthDate")).toHaveTextContent("平成13年7月14日（2001-07-14）"));
    await waitFor(() => expect(screen.getByTestId("review-acq-acquisition-acquiredOn")).toHaveTextContent("令和6年4月1日（2024-04-01）"));
    await waitFor(() => expect(screen.getByTestId("review-acq-dependants-0-birthDate")).toHaveTextContent("令和元年5月1日（2019-05-01）"));
    // A date Rust could not convert stays in 西暦.
    await waitFor(() =>
      expect(screen.getByTestId("review-acq-pensionHistory-0-acquiredOn")).toHaveTextContent("令和元年5月1日（2019-05-01） 〜 2024-03-31"),
    );
    // Each date is converted once.
    expect(mockApi.dateToWareki.mock.calls.map(([iso]) => iso).sort()).toEqual([
      "2001-07-14",
      "2019-05-01",
      "2024-03-31",
      "2024-04-01",
      "2026-11-26",
      "2026-11-27",
    ]);
  });

  it("shows the 証明日 in 和暦 as soon as the 証明 comes back", async () => {
    mockApi.acquisitionAct.mockResolvedValue({ ...withDates("2026-11-26", ""), canApprove: false, approveLabel: null });
    const { user } = await renderReview(withDates("", ""));
    expect(screen.getByTestId("review-acq-office-certifiedOn")).toHaveTextContent("（未入力）");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("review-acq-office-certifiedOn")).toHaveTextContent("令和8年11月26日（2026-11-26）"));
    expect(screen.getByTestId("review-acq-office-receivedOn")).toHaveTextContent("（未入力）");
  });
});

describe("batch printing", () => {
  it("shows progress with counts and finishes into one folder", async () => {
    mockApi.acquisitionPrintBatchBegin.mockResolvedValue("b1");
    mockApi.acquisitionPrintBatchAdd.mockResolvedValue("x.pdf");
    mockApi.acquisitionPrintBatchFinish.mockResolvedValue("/dl/資格取得届_一括印刷_20240403_100000");
    const user = userEvent.setup();
    render(<AcquisitionBatchPrint ids={["a", "b", "c"]} onClear={() => undefined} />);
    expect(screen.getByTestId("acq-batch-selected")).toHaveTextContent("3 件を選択中");
    await user.click(screen.getByTestId("acq-batch-print"));
    expect(await screen.findByTestId("acq-batch-success")).toHaveTextContent("3 件のPDFを1つのフォルダに保存しました");
    expect(mockApi.acquisitionPrintBatchAdd.mock.calls).toEqual([
      ["b1", "a"],
      ["b1", "b"],
      ["b1", "c"],
    ]);
    expect(mockApi.acquisitionPrintBatchCancel).not.toHaveBeenCalled();
  });

  it("中止 stops after the file in progress and leaves nothing", async () => {
    mockApi.acquisitionPrintBatchBegin.mockResolvedValue("b1");
    mockApi.acquisitionPrintBatchCancel.mockResolvedValue(undefined);
    let release: () => void = () => undefined;
    mockApi.acquisitionPrintBatchAdd.mockImplementation(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve("x.pdf");
        }),
    );
    const user = userEvent.setup();
    render(<AcquisitionBatchPrint ids={["a", "b", "c"]} onClear={() => undefined} />);
    await user.click(screen.getByTestId("acq-batch-print"));
    expect(await screen.findByTestId("acq-batch-count")).toHaveTextContent("0 / 3 件");
    expect(screen.getByRole("progressbar")).toHaveAttribute("max", "3");
    await user.click(screen.getByTestId("acq-batch-cancel"));
    await act(async () => release());
    expect(await screen.findByTestId("acq-batch-info")).toHaveTextContent("中止しました。途中までのファイルは残していません。");
    expect(mockApi.acquisitionPrintBatchAdd).toHaveBeenCalledTimes(1);
    expect(mockApi.acquisitionPrintBatchCancel).toHaveBeenCalledWith("b1");
    expect(mockApi.acquisitionPrintBatchFinish).not.toHaveBeenCalled();
    expect(screen.queryByTestId("acq-batch-progress")).not.toBeInTheDocument();
  });

  it("a failure cancels the batch too", async () => {
    mockApi.acquisitionPrintBatchBegin.mockResolvedValue("b1");
    mockApi.acquisitionPrintBatchCancel.mockResolvedValue(undefined);
    mockApi.acquisitionPrintBatchAdd.mockRejectedValue(new Error("disk full"));
    const user = userEvent.setup();
    render(<AcquisitionBatchPrint ids={["a"]} onClear={() => undefined} />);
    await user.click(screen.getByTestId("acq-batch-print"));
    expect(await screen.findByTestId("acq-batch-error")).toHaveTextContent("ファイルは残していません");
    expect(mockApi.acquisitionPrintBatchCancel).toHaveBeenCalledWith("b1");
  });
});
