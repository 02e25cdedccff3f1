import type { ButtonHTMLAttributes, MouseEvent } from "react";

export type ButtonVariant = "primary" | "secondary";

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  /** Work in progress: the button stays focusable but does nothing. */
  busy?: boolean;
};

const base =
  "inline-flex min-h-12 min-w-24 items-center justify-center gap-2 rounded-8 px-4 py-2 text-oln-16B-100 underline-offset-[calc(3/16*1rem)] cursor-pointer aria-disabled:cursor-not-allowed";

const variants: Record<ButtonVariant, string> = {
  // Solid blue; the double transparent border keeps the size equal to outline buttons
  // and shows as an edge in forced-colours mode.
  primary:
    "border-4 border-double border-transparent bg-blue-900 text-white hover:bg-blue-1000 hover:underline active:bg-blue-1200 aria-disabled:bg-solid-gray-300 aria-disabled:text-solid-gray-50 aria-disabled:no-underline",
  secondary:
    "border border-current bg-white text-blue-900 hover:bg-blue-200 hover:text-blue-1000 hover:underline active:bg-blue-300 aria-disabled:text-solid-gray-300 aria-disabled:bg-white aria-disabled:no-underline",
};

/**
 * A button that never uses the `disabled` attribute while busy, so keyboard
 * focus is not lost in the middle of work (aria-disabled instead).
 */
export function Button({
  variant = "secondary",
  busy = false,
  className,
  onClick,
  type = "button",
  ...rest
}: Props) {
  function handleClick(event: MouseEvent<HTMLButtonElement>) {
    if (busy) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  }
  return (
    <button
      type={type}
      {...rest}
      aria-disabled={busy || rest["aria-disabled"] || undefined}
      aria-busy={busy || undefined}
      className={`${base} ${variants[variant]} ${className ?? ""}`}
      onClick={handleClick}
    />
  );
}
