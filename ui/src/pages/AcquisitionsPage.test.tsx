import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AcquisitionAssessment, AcquisitionFinding, AcquisitionInput, AcquisitionListItem, AcquisitionView } from "../backend";
import { AppStateProvider } from "../shell/appState";
import { onlineStatus, session } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { resetQueueFilter, ROW_HEIGHT } from "./AcquisitionQueue";
import { AcquisitionsPage } from "./AcquisitionsPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const ID = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b3d01";

function item(n: number, over: Partial<AcquisitionListItem> = {}): AcquisitionListItem {
  return {
    id: `0190f3b2-6c1e-7a40-9c1d-${String(n).padStart(12, "0")}`,
    memberName: `職員\u3000${n}`,
    memberKana: `ショクイン\u3000${n}`,
    officeCode: n % 2 === 0 ? "13104" : "13101",
    acquiredOn: "2024-04-01",
    acquiredOnText: "令和6年4月1日 (2024-04-01)",
    stage: "draft",
    stageLabel: "下書き",
    reason: null,
    deadline: "2024-04-06",
    daysLeft: 3,
    deadlineState: "ok",
    deadlineText: "4月6日まで あと3日",
    syncLabel: "未送信",
    pending: false,
    updatedAt: "2024-04-03T01:00:00Z",
    ...over,
  };
}

const noFindings: AcquisitionAssessment = { findings: [], notes: [], grades: null, errors: 0, unacknowledged: 0 };

function finding(field: string, code: string, severity: "error" | "warning", message: string, acknowledged = false): AcquisitionFinding {
  return { field, code, severity, message, acknowledged };
}

const myNumberError = finding(
  "member.myNumber",
  "my_number.check_digit",
  "error",
  "個人番号のチェックデジットが一致しません。番号を確認してください。",
);

const grades = {
  monthly: "157700",
  monthlyText: "157,700円",
  health: { grade: 13, standardMonthly: "160000", text: "第13級 160,000円" },
  pension: { grade: 10, standardMonthly: "160000", text: "第10級 160,000円" },
  validUntilText: "令和6年8月31日 (2024-08-31)",
};

/** What Rust would say for the form as typed (a stand-in for the real checks). */
function assess(input: AcquisitionInput): AcquisitionAssessment {
  const f = input.form;
  const findings: AcquisitionFinding[] = [];
  const my = f.member?.myNumber ?? "";
  if (my !== "" && my !== "123456789018") findings.push(myNumberError);
  const salary = Number((f.remuneration?.salary ?? "").replace(/,/g, ""));
  const commuting = Number((f.remuneration?.commutingAllowance ?? "").replace(/,/g, ""));
  return {
    findings,
    notes: [],
    grades: salary + commuting === 157700 ? grades : null,
    errors: findings.filter((x) => x.severity === "error").length,
    unacknowledged: 0,
  };
}

function viewOf(input: AcquisitionInput, over: Partial<AcquisitionView> = {}): AcquisitionView {
  const base = {
    item: item(1, { id: input.id ?? ID, memberName: input.form.member?.name ?? "" }),
    form: {
      office: { code: "13104", name: "中央区役所", certifiedOn: "", receivedOn: "" },
      member: {
        name: "",
        nameKana: "",
        birthDate: "",
        sex: "",
        postalCode: "",
        address: "",
        myNumber: null,
        basicPensionNumber: "",
      },
      acquisition: {
        acquiredOn: "",
        reason: "",
        reasonDetail: "",
        memberType: "",
        appointment: "",
        termStart: "",
        termEnd: "",
        lateReason: "",
      },
      employment: { jobTitle: "", salaryTable: "", salaryClass: "", salaryStep: "" },
      remuneration: {
        payBasis: "",
        periodDays: "",
        salary: "",
        regionalAllowance: "",
        dependantsAllowance: "",
        housingAllowance: "",
        commutingAllowance: "",
        commutingMonths: "",
        otherAllowances: [],
        projectedOvertime: "",
        excludedBonus: "",
        excludedOverThreeMonths: "",
      },
      pensionHistory: [],
      dependants: [],
      acknowledgements: input.form.acknowledgements ?? [],
    },
    myNumberMasked: null,
    myNumberWithheld: false,
    assessment: noFindings,
    acknowledgementLog: [],
    canEdit: true,
    canSubmit: true,
    canWithdraw: false,
    ocrProvenance: null,
  } satisfies AcquisitionView;
  return { ...base, ...over };
}

beforeEach(() => {
  resetMockApi();
  resetQueueFilter();
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
  mockApi.checkAcquisition.mockImplementation(async (input) => assess(input));
});

async function renderPage(list: AcquisitionListItem[] = []) {
  mockApi.listAcquisitions.mockResolvedValue(list);
  const user = userEvent.setup();
  render(
    <AppStateProvider>
      <AcquisitionsPage />
    </AppStateProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("acq-count")).toBeInTheDocument());
  return { user };
}

async function openNew(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByTestId("acq-new"));
  await waitFor(() => expect(screen.getByTestId("acq-form")).toBeInTheDocument());
}

describe("the queue", () => {
  it("renders only the visible rows of 10,000, counts them and filters by status", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      item(i, i % 3 === 0 ? { stage: "certify", stageLabel: "所属所長の証明待ち", syncLabel: null } : {}),
    );
    const { user } = await renderPage(many);
    expect(screen.getByTestId("acq-count")).toHaveTextContent("10000 件を表示（全 10000 件）");
    const rows = screen.getAllByTestId("acq-row");
    expect(rows.length).toBeLessThan(40);
    // Scrolled far down, the rows there are rendered instead.
    const list = screen.getByTestId("acq-list");
    list.scrollTop = 5000 * ROW_HEIGHT;
    fireEvent.scroll(list);
    expect(screen.getAllByTestId("acq-row").some((r) => r.textContent?.includes("職員\u30005000"))).toBe(true);

    await user.selectOptions(screen.getByTestId("acq-filter-stage"), "certify");
    expect(screen.getByTestId("acq-count")).toHaveTextContent("3334 件を表示（全 10000 件）");
  });

  it("opens a submitted one for review, and Space picks rows for batch printing", async () => {
    const list = [item(1, { stage: "certify", stageLabel: "所属所長の証明待ち" }), item(2)];
    mockApi.acquisitionReview.mockRejectedValue(new Error("stop here"));
    const { user } = await renderPage(list);
    screen.getByTestId("acq-list").focus();
    await user.keyboard(" ");
    await user.keyboard("{ArrowDown} ");
    expect(screen.getByTestId("acq-batch-selected")).toHaveTextContent("2 件を選択中");
    await user.keyboard(" ");
    expect(screen.getByTestId("acq-batch-selected")).toHaveTextContent("1 件を選択中");
    await user.keyboard("{ArrowUp}{Enter}");
    await waitFor(() => expect(mockApi.acquisitionReview).toHaveBeenCalledWith(list[0]!.id));
    expect(mockApi.getAcquisition).not.toHaveBeenCalled();
    expect(await screen.findByTestId("acq-review-error")).toBeInTheDocument();
  });

  it("moves with ↑↓ and opens with Enter", async () => {
    const list = [item(1), item(2), item(3)];
    mockApi.getAcquisition.mockImplementation(async (id) => viewOf({ id, form: { member: { name: "職員　2" } } }));
    const { user } = await renderPage(list);
    screen.getByTestId("acq-list").focus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByTestId("acq-row")[1]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(mockApi.getAcquisition).toHaveBeenCalledWith(list[1]!.id));
    expect(await screen.findByTestId("acq-form")).toBeInTheDocument();
  });
});

describe("the form", () => {
  it("shows a bad 個人番号 when the field loses focus, and counts it in the section index", async () => {
    const { user } = await renderPage();
    await openNew(user);
    const field = screen.getByTestId("acq-member-myNumber");
    await user.type(field, "123456789012");
    expect(screen.queryByText(myNumberError.message)).not.toBeInTheDocument();
    await user.tab();
    expect(await screen.findByText(myNumberError.message)).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(screen.getByTestId("acq-index-member-errors")).toHaveTextContent("誤り 1"));
    expect(screen.queryByTestId("acq-index-office-errors")).not.toBeInTheDocument();

    // Corrected: the finding and the count go away.
    await user.clear(field);
    await user.type(field, "123456789018");
    await user.tab();
    await waitFor(() => expect(screen.queryByText(myNumberError.message)).not.toBeInTheDocument());
    expect(screen.queryByTestId("acq-index-member-errors")).not.toBeInTheDocument();
  });

  it("shows the grades computed from the pay components", async () => {
    const { user } = await renderPage();
    await openNew(user);
    expect(screen.getByTestId("acq-grades")).toHaveTextContent("給料と資格取得年月日を入力すると");
    await user.type(screen.getByTestId("acq-remuneration-salary"), "143,700");
    await user.type(screen.getByTestId("acq-remuneration-commutingAllowance"), "14000");
    await waitFor(() => expect(screen.getByTestId("acq-grades-health")).toHaveTextContent("第13級 160,000円"));
    expect(screen.getByTestId("acq-grades-pension")).toHaveTextContent("第10級 160,000円");
    expect(screen.getByTestId("acq-grades-monthly")).toHaveTextContent("157,700円");
  });

  it("saves with Ctrl+S and keeps what was typed when saving fails", async () => {
    const { user } = await renderPage();
    await openNew(user);
    await user.type(screen.getByTestId("acq-member-name"), "山田　太郎");
    mockApi.saveAcquisition.mockRejectedValueOnce(
      Object.assign(new (await import("../backend/errors")).BackendError("validation.failed", "入力内容を確認してください。"), {}),
    );
    await user.keyboard("{Control>}s{/Control}");
    expect(await screen.findByTestId("acq-banner-error")).toHaveTextContent("入力内容を確認してください。");
    expect(screen.getByTestId("acq-member-name")).toHaveValue("山田　太郎");

    mockApi.saveAcquisition.mockImplementation(async (input) => viewOf(input, { form: { ...viewOf(input).form, member: { ...viewOf(input).form.member, name: "山田　太郎" } } }));
    await user.keyboard("{Control>}s{/Control}");
    await waitFor(() => expect(mockApi.saveAcquisition).toHaveBeenCalledTimes(2));
    const sent = mockApi.saveAcquisition.mock.calls[1]![0];
    expect(sent.id).toBeNull();
    expect(sent.form.member?.name).toBe("山田　太郎");
    expect(await screen.findByTestId("acq-banner-success")).toHaveTextContent("保存しました");
    expect(screen.getByTestId("acq-member-name")).toHaveValue("山田　太郎");
  });

  it("needs a warning acknowledged before 提出", async () => {
    const late = finding(
      "acquisition.lateReason",
      "acquisition.late_filing",
      "warning",
      "届出期限（資格取得日から5日以内）を過ぎています。遅延理由を記入してください。",
    );
    let acknowledged = false;
    const withLate = (): AcquisitionAssessment => ({
      findings: [{ ...late, acknowledged }],
      notes: [],
      grades: null,
      errors: 0,
      unacknowledged: acknowledged ? 0 : 1,
    });
    const saved = viewOf({ id: ID, form: {} }, { assessment: withLate() });
    mockApi.getAcquisition.mockResolvedValue(saved);
    mockApi.checkAcquisition.mockImplementation(async (input) => {
      acknowledged = (input.form.acknowledgements ?? []).some((a) => a.code === late.code);
      return withLate();
    });
    mockApi.acknowledgeAcquisitionWarning.mockImplementation(async (input, code, field) => ({
      ...viewOf(input).form,
      acknowledgements: [...(input.form.acknowledgements ?? []), { code, field }],
    }));
    mockApi.saveAcquisition.mockImplementation(async (input) => viewOf(input, { assessment: withLate() }));
    mockApi.submitAcquisition.mockImplementation(async () => viewOf({ id: ID, form: {} }, { canEdit: false, canSubmit: false }));

    const { user } = await renderPage([item(1, { id: ID })]);
    await user.click(screen.getAllByTestId("acq-row")[0]!);
    await screen.findByTestId("acq-form");

    await user.click(screen.getByTestId("acq-submit"));
    expect(await screen.findByTestId("acq-banner-error")).toHaveTextContent("確認していない警告が 1 件あります");
    expect(mockApi.submitAcquisition).not.toHaveBeenCalled();
    const ack = screen.getByTestId("acq-ack-acq-acquisition-lateReason-acquisition.late_filing");
    // Focus moves to the first 「確認しました」 once the banner has rendered (next tick).
    await waitFor(() => expect(ack).toHaveFocus());
    await user.click(ack);
    await waitFor(() => expect(screen.getByTestId("acq-acked-acq-acquisition-lateReason-acquisition.late_filing")).toBeInTheDocument());

    await user.click(screen.getByTestId("acq-submit"));
    await waitFor(() => expect(mockApi.submitAcquisition).toHaveBeenCalledWith(ID));
    // The acknowledgement was saved before submitting.
    const savedForm = mockApi.saveAcquisition.mock.calls.at(-1)![0].form;
    expect(savedForm.acknowledgements).toEqual([{ code: late.code, field: late.field }]);
    expect(await screen.findByTestId("acq-banner-success")).toHaveTextContent("提出しました");
  });

  it("blocks 提出 on errors and jumps to the first one", async () => {
    const required = finding("member.sex", "required", "error", "性別が選ばれていません。性別を選んでください。");
    mockApi.getAcquisition.mockResolvedValue(viewOf({ id: ID, form: {} }));
    mockApi.checkAcquisition.mockImplementation(async (_input, submission) =>
      submission ? { findings: [required], notes: [], grades: null, errors: 1, unacknowledged: 0 } : noFindings,
    );
    const { user } = await renderPage([item(1, { id: ID })]);
    await user.click(screen.getAllByTestId("acq-row")[0]!);
    await screen.findByTestId("acq-form");
    await user.click(screen.getByTestId("acq-submit"));
    expect(await screen.findByTestId("acq-banner-error")).toHaveTextContent("誤りが 1 件あります");
    expect(screen.getByText(required.message)).toBeInTheDocument();
    expect(screen.getByTestId("acq-member-sex")).toHaveFocus();
    expect(screen.getByTestId("acq-index-member-errors")).toHaveTextContent("誤り 1");
    expect(mockApi.submitAcquisition).not.toHaveBeenCalled();
  });

  it("shows a stored 個人番号 masked until 表示 is pressed and a purpose given", async () => {
    mockApi.getAcquisition.mockResolvedValue(viewOf({ id: ID, form: {} }, { myNumberMasked: "●●●● ●●●● 9018" }));
    mockApi.revealAcquisitionMyNumber.mockResolvedValue("123456789018");
    const { user } = await renderPage([item(1, { id: ID })]);
    await user.click(screen.getAllByTestId("acq-row")[0]!);
    const field = await screen.findByTestId("acq-member-myNumber");
    expect(field).toHaveValue("●●●● ●●●● 9018");
    expect(field).toHaveAttribute("readonly");
    await user.click(screen.getByTestId("acq-member-myNumber-reveal"));
    // The editor offers the clerk's purposes (審査 is the reviewer's).
    expect(screen.queryByTestId("my-number-reveal-purpose-review")).toBeNull();
    await user.click(screen.getByTestId("my-number-reveal-purpose-correction"));
    await user.click(screen.getByTestId("my-number-reveal-confirm"));
    await waitFor(() => expect(screen.getByTestId("acq-member-myNumber")).toHaveValue("123456789018"));
    expect(mockApi.revealAcquisitionMyNumber).toHaveBeenCalledWith(ID, "correction", "");
    expect(screen.queryByTestId("my-number-reveal")).toBeNull();
  });

  it("shows a 個人番号 the server withheld as registered, without 表示", async () => {
    mockApi.getAcquisition.mockResolvedValue(
      viewOf({ id: ID, form: {} }, { myNumberMasked: "登録済み（表示の権限がありません）", myNumberWithheld: true }),
    );
    const { user } = await renderPage([item(1, { id: ID })]);
    await user.click(screen.getAllByTestId("acq-row")[0]!);
    const field = await screen.findByTestId("acq-member-myNumber");
    expect(field).toHaveValue("登録済み（表示の権限がありません）");
    expect(field).toHaveAttribute("readonly");
    expect(screen.getByText(/あなたの権限では表示できず/)).toBeInTheDocument();
    expect(screen.queryByTestId("acq-member-myNumber-reveal")).toBeNull();
  });

  it("adds and removes dependants as a sub-form", async () => {
    const { user } = await renderPage();
    await openNew(user);
    const section = screen.getByTestId("acq-section-dependants");
    await user.click(within(section).getByTestId("acq-dependant-add"));
    await user.click(within(section).getByTestId("acq-dependant-add"));
    expect(within(section).getByTestId("acq-dependant-1")).toBeInTheDocument();
    await user.type(screen.getByTestId("acq-dependants-1-name"), "山田　花子");
    await user.click(screen.getByTestId("acq-dependant-remove-0"));
    expect(within(section).queryByTestId("acq-dependant-1")).not.toBeInTheDocument();
    expect(screen.getByTestId("acq-dependants-0-name")).toHaveValue("山田　花子");
  });
});
