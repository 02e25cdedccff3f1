// @ts-check
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

const tauriOnlyInBackend = {
  patterns: [
    {
      group: ["@tauri-apps/*"],
      message:
        "Only ui/src/backend/ may import @tauri-apps/*. Import { api } from the backend module instead.",
    },
    {
      group: ["**/backend/bindings", "**/backend/bindings.ts", "./bindings"],
      message: "bindings.ts is generated; import types and api from the backend module instead.",
    },
  ],
};

export default defineConfig(
  { ignores: ["dist/**", "node_modules/**", "src/backend/bindings.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    files: ["**/*.{ts,tsx,js}"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-restricted-imports": ["error", tauriOnlyInBackend],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // The one place that talks to Tauri.
    files: ["src/backend/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["vite.config.ts", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node } },
  },
);
