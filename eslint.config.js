import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default tseslint.config(
  { ignores: ["build/**", "public/build/**", "node_modules/**", "data/**", "tmp/**", ".cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Actions read their form through readForm (app/utils/form.server.ts): 415/413/400 before parsing.
    files: ["app/**/*.ts", "app/**/*.tsx"],
    ignores: ["app/utils/form.server.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name=/^(formData|json|text|arrayBuffer|blob)$/][callee.object.name='request']",
          message: "Read a form with readForm(request) from ~/utils/form.server (size limit, content type; ADR 0027).",
        },
        {
          selector: "CallExpression[callee.name='unstable_parseMultipartFormData']",
          message: "Read a form with readForm(request, { maxBytes }) from ~/utils/form.server (ADR 0027).",
        },
      ],
    },
  },
);
