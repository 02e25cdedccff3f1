/**
 * Class lists shared by form controls, after the Digital Agency design
 * system (デジタル庁デザインシステム): solid borders, 8px radius, 48px high
 * targets. The focus ring is global (styles.css), so it is not repeated here.
 */
export const inputClass = [
  "block min-h-12 rounded-8 border border-solid-gray-600 bg-white px-4 py-2",
  "text-std-16N-170 text-solid-gray-900 placeholder:text-solid-gray-536",
  "hover:border-black",
  "aria-invalid:border-2 aria-invalid:border-error-1",
].join(" ");

export const selectClass = [
  "block min-h-12 rounded-8 border border-solid-gray-600 bg-white py-2 pl-3 pr-8",
  "text-std-16N-170 text-solid-gray-900 hover:border-black",
  "aria-invalid:border-2 aria-invalid:border-error-1",
].join(" ");

export const labelClass = "block text-std-16B-170 text-solid-gray-900";

export const helpClass = "text-std-16N-170 text-solid-gray-700";

export const sectionClass = "rounded-12 border border-solid-gray-200 bg-white p-6";
