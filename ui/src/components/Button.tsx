import type { ButtonHTMLAttributes, MouseEvent, Ref } from "react";

export type ButtonVariant = "primary" | "secondary" | "danger" | "onDark";
export type ButtonSize = "default" | "compact";

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  ref?: Ref<HTMLButtonElement>;
  variant?: ButtonVariant;
  /** "compact" for dense places such as the status bar (still at least 32px high). */
  size?: ButtonSize;
  /** Work in progress: the button stays focusable but does nothing. */
  busy?: boolean;
};

const base =
  "inline-flex items-center justify-center gap-2 underline-offset-[calc(3/16*1rem)] cursor-pointer aria-disabled:cursor-not-allowed";

const sizes: Record<ButtonSize, string> = {
  default: "min-h-12 min-w-24 rounded-8 px-4 py-2 text-oln-16B-100",
  compact: "min-h-8 rounded-6 px-3 py-1 text-oln-14B-100",
};

const variants: Record<ButtonVariant, string> = {
  // Solid blue; the double transparent border keeps the size equal to outline buttons
  // and shows as an edge in forced-colours mode.
  primary:
    "border-4 border-double border-transparent bg-blue-900 text-white hover:bg-blue-1000 hover:underline active:bg-blue-1200 aria-disabled:bg-solid-gray-300 aria-disabled:text-solid-gray-50 aria-disabled:no-underline",
  secondary:
    "border border-current bg-white text-blue-900 hover:bg-blue-200 hover:text-blue-1000 hover:underline active:bg-blue-300 aria-disabled:text-solid-gray-300 aria-disabled:bg-white aria-disabled:no-underline",
  // For actions that throw work away (used behind a confirmation).
  danger:
    "border-4 border-double border-transparent bg-error-2 text-white hover:bg-red-1000 hover:underline active:bg-red-1100 aria-disabled:bg-solid-gray-300 aria-disabled:text-solid-gray-50 aria-disabled:no-underline",
  // Outline in white, for the dark status bar; the focus ring turns yellow there.
  onDark:
    "border border-white bg-transparent text-white hover:bg-solid-gray-700 hover:underline focus-visible:outline-yellow-300 aria-disabled:border-solid-gray-420 aria-disabled:text-solid-gray-200 aria-disabled:no-underline",
};

/**
 * A button that never uses the `disabled` attribute while busy, so keyboard
 * focus is not lost in the middle of work (aria-disabled instead).
 */
export function Button({
  variant = "secondary",
  size = "default",
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
      className={`${base} ${sizes[size]} ${variants[variant]} ${className ?? ""}`}
      onClick={handleClick}
    />
  );
}
