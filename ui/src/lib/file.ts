/**
 * Reading a file the clerk chose (<input type="file">) for a command that takes its bytes
 * in base64.
 */

/** The bytes as base64, in chunks (a 2 MB file must not blow the call stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** The file's bytes (FileReader where Blob.arrayBuffer is missing). */
export async function readFileBytes(file: Blob): Promise<Uint8Array> {
  if (typeof file.arrayBuffer === "function") return new Uint8Array(await file.arrayBuffer());
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsArrayBuffer(file);
  });
}

/** The file's bytes as base64. */
export async function readFileBase64(file: Blob): Promise<string> {
  return bytesToBase64(await readFileBytes(file));
}
