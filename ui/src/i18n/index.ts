import { ja, type MessageId } from "./ja";

export type { MessageId } from "./ja";

export type MessageParams = Record<string, string | number>;

/** Looks up a message and fills `{name}` placeholders. */
export function t(id: MessageId, params?: MessageParams): string {
  const text: string = ja[id];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function hasMessage(id: string): id is MessageId {
  return Object.prototype.hasOwnProperty.call(ja, id);
}

/**
 * The text to show for a backend error: the catalogue's `error.<code>` if
 * there is one, otherwise Rust's Japanese message as given.
 */
export function errorMessage(error: { code: string; message: string }): string {
  const id = `error.${error.code}`;
  return hasMessage(id) ? t(id) : error.message;
}
