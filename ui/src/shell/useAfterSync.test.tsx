import { render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { onlineStatus, session } from "../test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { AppStateProvider, useAppState } from "./appState";
import { syncKeyOf, useAfterSync } from "./useAfterSync";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
});

function Probe({ onSync }: { onSync: () => void }) {
  const { syncLoaded } = useAppState();
  useAfterSync(onSync);
  return <p data-testid="probe">{syncLoaded ? "loaded" : "waiting"}</p>;
}

async function renderProbe() {
  const onSync = vi.fn();
  render(
    <AppStateProvider>
      <Probe onSync={onSync} />
    </AppStateProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("probe")).toHaveTextContent("loaded"));
  return onSync;
}

describe("useAfterSync", () => {
  it("does not call back on the first render nor when the first status arrives", async () => {
    const onSync = await renderProbe();
    expect(onSync).not.toHaveBeenCalled();
  });

  it("calls back once when a sync finished (last sync time changed)", async () => {
    const onSync = await renderProbe();
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: "2026-11-26T10:15:00+09:00" });
    expect(onSync).toHaveBeenCalledTimes(1);
    // The same status again is no change.
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: "2026-11-26T10:15:00+09:00" });
    expect(onSync).toHaveBeenCalledTimes(1);
  });

  it("calls back when the counts change (未送信, 競合, 却下)", async () => {
    const onSync = await renderProbe();
    await emitSyncStatus({ ...onlineStatus, pending: 1 });
    await emitSyncStatus({ ...onlineStatus, pending: 1, conflicted: 1 });
    await emitSyncStatus({ ...onlineStatus, pending: 1, conflicted: 1, rejected: 2 });
    expect(onSync).toHaveBeenCalledTimes(3);
  });

  it("ignores changes that leave the data as it is (syncing, online)", async () => {
    const onSync = await renderProbe();
    await emitSyncStatus({ ...onlineStatus, syncing: true });
    await emitSyncStatus({ ...onlineStatus, online: false, lastErrorCode: "sync.offline" });
    expect(onSync).not.toHaveBeenCalled();
  });

  it("calls the latest callback, not the one from the first render", async () => {
    const first = vi.fn();
    const second = vi.fn();
    const { rerender } = render(
      <AppStateProvider>
        <Probe onSync={first} />
      </AppStateProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("probe")).toHaveTextContent("loaded"));
    rerender(
      <AppStateProvider>
        <Probe onSync={second} />
      </AppStateProvider>,
    );
    await emitSyncStatus({ ...onlineStatus, pending: 4 });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("keys on the counts and the last sync time only", () => {
    expect(syncKeyOf(null)).toBeNull();
    expect(syncKeyOf({ ...onlineStatus, syncing: true })).toBe(syncKeyOf(onlineStatus));
    expect(syncKeyOf({ ...onlineStatus, rejected: 1 })).not.toBe(syncKeyOf(onlineStatus));
  });
});
