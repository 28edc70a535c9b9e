/** @type {import('@remix-run/dev').AppConfig} */
export default {
  appDirectory: "app",
  assetsBuildDirectory: "public/build",
  publicPath: "/build/",
  serverBuildPath: "build/index.js",
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Packages stay outside the server bundle (those with native or WASM parts must), except TanStack
  // Table: it reads process.env.NODE_ENV each time it sets up a memo (hundreds per list page), and
  // bundled, the compiler replaces that with the build's constant (ADR 0031).
  serverDependenciesToBundle: [/^@tanstack\//],
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
