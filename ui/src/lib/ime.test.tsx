import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import type { KeyboardEvent } from "react";
import { describe, expect, it, vi } from "vitest";
import { isComposing, isPlainEnter, useImeSafeEnter } from "./ime";

/** Records, for each keydown, whether it counted as a plain Enter. */
function Probe({ onResult }: { onResult: (plain: boolean, composing: boolean) => void }) {
  return (
    <input
      aria-label="氏名"
      onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => onResult(isPlainEnter(event), isComposing(event))}
    />
  );
}

function setup() {
  const onResult = vi.fn<(plain: boolean, composing: boolean) => void>();
  render(<Probe onResult={onResult} />);
  const input = screen.getByRole("textbox", { name: "氏名" });
  input.focus();
  return { input, onResult };
}

describe("isPlainEnter", () => {
  it("is true for Enter outside a composition", () => {
    const { input, onResult } = setup();
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(onResult).toHaveBeenLastCalledWith(true, false);
  });

  it("is false for the Enter that confirms a conversion (between compositionstart and compositionend)", () => {
    const { input, onResult } = setup();
    fireEvent.compositionStart(input, { data: "" });
    fireEvent.compositionUpdate(input, { data: "やまだ" });
    // Some engines send this Enter with neither isComposing nor keyCode 229: only our flag knows.
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(onResult).toHaveBeenLastCalledWith(false, true);

    fireEvent.compositionEnd(input, { data: "山田" });
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(onResult).toHaveBeenLastCalledWith(true, false);
  });

  it("is false when the event itself says it is composing (Chromium)", () => {
    const { input, onResult } = setup();
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 13, isComposing: true });
    expect(onResult).toHaveBeenLastCalledWith(false, true);
  });

  it("is false for keyCode 229 (WebKit sends it after compositionend)", () => {
    const { input, onResult } = setup();
    fireEvent.compositionStart(input);
    fireEvent.compositionEnd(input, { data: "山田" });
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 229 });
    expect(onResult).toHaveBeenLastCalledWith(false, true);
  });

  it("is false for other keys and for Enter with a modifier", () => {
    const { input, onResult } = setup();
    fireEvent.keyDown(input, { key: "a", code: "KeyA", keyCode: 65 });
    expect(onResult).toHaveBeenLastCalledWith(false, false);
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 13, shiftKey: true });
    expect(onResult).toHaveBeenLastCalledWith(false, false);
    fireEvent.keyDown(input, { key: "Enter", code: "Enter", keyCode: 13, ctrlKey: true });
    expect(onResult).toHaveBeenLastCalledWith(false, false);
  });

  it("does not stay stuck when a composition is abandoned by moving focus", () => {
    const onResult = vi.fn<(plain: boolean, composing: boolean) => void>();
    render(
      <>
        <Probe onResult={onResult} />
        <input aria-label="住所" onKeyDown={(event) => onResult(isPlainEnter(event), isComposing(event))} />
      </>,
    );
    const name = screen.getByRole("textbox", { name: "氏名" });
    const address = screen.getByRole("textbox", { name: "住所" });
    name.focus();
    fireEvent.compositionStart(name);
    // compositionend lost; focus moves on.
    address.focus();
    fireEvent.keyDown(address, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(onResult).toHaveBeenLastCalledWith(true, false);
  });
});

describe("useImeSafeEnter", () => {
  function Form({ onEnter }: { onEnter: (value: string) => void }) {
    const [value, setValue] = useState("");
    const onKeyDown = useImeSafeEnter<HTMLInputElement>(() => onEnter(value));
    return <input aria-label="検索" value={value} onChange={(e) => setValue(e.target.value)} onKeyDown={onKeyDown} />;
  }

  it("calls the handler with the latest state on a plain Enter only, and prevents the default", () => {
    const onEnter = vi.fn<(value: string) => void>();
    render(<Form onEnter={onEnter} />);
    const input = screen.getByRole("textbox", { name: "検索" });

    fireEvent.compositionStart(input);
    fireEvent.change(input, { target: { value: "とうきょう" } });
    fireEvent.keyDown(input, { key: "Enter", keyCode: 229, isComposing: true });
    expect(onEnter).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: "東京" } });
    fireEvent.compositionEnd(input, { data: "東京" });
    const notCancelled = fireEvent.keyDown(input, { key: "Enter", keyCode: 13 });
    expect(notCancelled).toBe(false);
    expect(onEnter).toHaveBeenCalledTimes(1);
    expect(onEnter).toHaveBeenCalledWith("東京");
  });
});
