/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// Tauri loads the dev server from a fixed port (devUrl) and the built files
// from ui/dist (frontendDist). Nothing here may fetch remote content: the app
// runs under a strict CSP.
/**
 * The app freezes Object.prototype (tauri.conf.json `freezePrototype`). A few libraries
 * under recharts (the 見える化 charts) assign `constructor` / `toString` / `valueOf` on
 * plain objects (decimal.js-light's prototype and each number, d3-color's prototypes,
 * d3-format's FormatSpecifier), which a frozen Object.prototype refuses in strict code
 * ("Attempted to assign to readonly property"): the module throws when it loads. In
 * those packages only, each such assignment first makes the property the object's own
 * (writable), so it lands there. `vite build` only (the E2E runs the built app).
 */
const D3_WITH_OVERRIDES = /[\\/]node_modules[\\/](d3-color|d3-format)[\\/]/;
const DECIMAL_LIGHT = /[\\/]node_modules[\\/]decimal\.js-light[\\/]/;
const OVERRIDE = /(^|[;{}\n]\s*)((?:[\w$]+\.)*[\w$]+)\.(constructor|toString|valueOf)\s*=(?!=)/g;
const OWN = (name: string) => `${name}: { value: Object.prototype.${name}, writable: true, configurable: true, enumerable: false }`;

function assignUnderFrozenPrototype(): Plugin {
  return {
    name: "kyosai-assign-under-frozen-prototype",
    transform(code, id) {
      if (DECIMAL_LIGHT.test(id) && code.includes("P = {};")) {
        // Its prototype object, with the three as own properties from the start.
        return code.replace("P = {};", `P = Object.create(Object.prototype, { ${["toString", "valueOf", "constructor"].map(OWN).join(", ")} });`);
      }
      if (!D3_WITH_OVERRIDES.test(id)) return null;
      return code.replace(
        OVERRIDE,
        (_, lead: string, target: string, name: string) =>
          `${lead}Object.defineProperty(${target}, "${name}", { value: undefined, writable: true, configurable: true, enumerable: false }), ${target}.${name} =`,
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), assignUnderFrozenPrototype()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Vite 8 minifies with Oxc through Rolldown; esbuild is not installed.
    minify: true,
    // WebView2 (Chromium) on Windows, WebKitGTK 2.4x on Debian 12.
    target: ["es2022", "chrome111", "safari16"],
    sourcemap: !!process.env.TAURI_ENV_DEBUG,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
