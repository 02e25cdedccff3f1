import type { ReactNode } from "react";

/**
 * The page's <h1>. tabIndex -1 lets the shell move focus here when a page
 * opens, so keyboard and screen-reader users land in the content.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  return (
    <h1 id="page-title" tabIndex={-1} className="mb-6 text-std-32B-150 text-solid-gray-900">
      {children}
    </h1>
  );
}
